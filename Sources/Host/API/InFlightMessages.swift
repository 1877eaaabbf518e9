/// Message ids being sent right now through `POST /v1/messages`, per tenant.
///
/// The idempotency record only knows a message once Genesys took it; a client that retries while its first
/// request still waits (on the limiter or on Genesys) would otherwise send the message twice.
actor InFlightMessages {
    private var ids: Set<String> = []

    /// True when the caller may send it; false while another request sends the same message.
    func begin(_ messageID: String, tenantID: String) -> Bool {
        ids.insert(DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)).inserted
    }

    func end(_ messageID: String, tenantID: String) {
        ids.remove(DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID))
    }
}
