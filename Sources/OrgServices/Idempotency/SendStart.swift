/// What the idempotency record held when a send was about to start (``IdempotencyStore/sendStarting(_:tenantID:)``):
/// the last word on whether to send, taken after the receipt check, because another replica may write its
/// receipt in between.
public enum SendStart: Sendable, Equatable {
    /// Nothing of another run: send.
    case clear
    /// Genesys has the message already (another run recorded it since the receipt check): do not send it again.
    case alreadySent(DeliveryReceipt)
    /// Another run began sending the message and has not finished (it may be alive and still in its call, or have
    /// died in it): send, and report the send as a possible duplicate.
    case possiblySentElsewhere
}
