@main
struct PipelineBenchmark {
    static func main() {}
}
