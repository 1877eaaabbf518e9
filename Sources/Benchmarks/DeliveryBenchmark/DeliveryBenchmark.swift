@main
struct DeliveryBenchmark {
    static func main() {}
}
