import GenesysSandbox

@main
struct SandboxMain {
    static func main() {}
}
