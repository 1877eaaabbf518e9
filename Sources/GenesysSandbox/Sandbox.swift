/// The local stand-in for Genesys Cloud (built out by the sandbox issue).
public enum Sandbox {}
