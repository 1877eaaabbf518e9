import Testing

@testable import GatewayCore

@Suite struct BoundedDictionaryTests {
    @Test func keepsAtMostCapacityForgettingTheOldestInsertedFirst() {
        var values = BoundedDictionary<String, Int>(capacity: 3)
        for (index, key) in ["a", "b", "c", "d"].enumerated() { values[key] = index }
        #expect(values.count == 3)
        #expect(values["a"] == nil)
        #expect(values["d"] == 3)
    }

    @Test func updatingAKeyKeepsItsAgeAndRemovingOneMakesRoom() {
        var values = BoundedDictionary<String, Int>(capacity: 2)
        values["a"] = 1
        values["b"] = 2
        values["a"] = 10  // still the oldest
        values["c"] = 3
        #expect(values["a"] == nil)
        #expect(values["b"] == 2)
        values["b"] = nil
        values["d"] = 4
        #expect(values["c"] == 3 && values["d"] == 4)
        #expect(values.count == 2)
    }

    @Test func staysBoundedOverManyInsertions() {
        var values = BoundedDictionary<Int, Int>(capacity: 100)
        for key in 0..<10_000 { values[key] = key }
        #expect(values.count == 100)
        #expect(values[9_999] == 9_999)
        #expect(values[9_899] == nil)
        #expect(values[9_900] == 9_900)
    }
}
