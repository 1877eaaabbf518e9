import Testing
@testable import GenesysSandbox

@Test func placeholder() {}
