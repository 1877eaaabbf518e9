/// An AMQP URL the gateway cannot use, naming the query parameter at fault. Its text never holds the URL, whose
/// user info carries the broker password.
package struct AMQPURLError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: Sendable, Equatable {
        /// Not one of ``AMQPURL``'s parameters.
        case unknownParameter
        case repeatedParameter
        case missingValue
        case invalidValue
        case invalidEncoding
        /// A TLS parameter, or `auth_mechanism=external`, in an `amqp://` URL.
        case needsTLS
        /// Half of a pair: `certfile` without `keyfile`, `external` without a client certificate.
        case incomplete
    }

    package var code: Code
    /// The query parameter at fault.
    package var parameter: String
    package var reason: String

    package init(_ code: Code, parameter: String, _ reason: String) {
        self.code = code
        self.parameter = parameter
        self.reason = reason
    }

    package var description: String { "URL parameter '\(parameter)': \(reason)" }

    /// Equal when they are about the same parameter and fault; the wording may change.
    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.parameter == rhs.parameter
    }
}
