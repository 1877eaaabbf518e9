public enum HostPlaceholder {}
