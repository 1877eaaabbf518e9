import Host
@main struct GatewayMain { static func main() {} }
