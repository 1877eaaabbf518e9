import COpenSSL

/// Reads the certificate and key files with OpenSSL 3 before swift-nio-ssl does, for one reason only: its errors.
/// swift-nio-ssl (BoringSSL inside) answers a bad file with `failedToLoadCertificate` and nothing else, while an
/// operator needs "bad base64 decode", "key values mismatch" or "bad decrypt" to know what to fix. OpenSSL is in
/// the process already (libcurl and the Redis client use Debian's), so this costs no library.
///
/// Each OpenSSL handle lives inside one call here and is freed before it returns.
enum OpenSSLPEMCheck {
    private static let certificateMarker = Array("-----BEGIN CERTIFICATE-----".utf8)
    private static let privateKeyMarker = Array("PRIVATE KEY-----".utf8)
    private static let encryptedMarkers = [Array("ENCRYPTED PRIVATE KEY-----".utf8), Array("Proc-Type: 4,ENCRYPTED".utf8)]

    /// Checks that `certificatePEM` holds at least one certificate and nothing broken, that `keyPEM` holds an
    /// unencrypted private key, and that the key is the first certificate's. Returns that certificate's subject
    /// (OpenSSL's one-line form, `/CN=gateway.example.com`).
    static func check(certificatePEM: [UInt8], keyPEM: [UInt8], files: CertificateFiles) throws(ServingCertificateError) -> String {
        ERR_clear_error()
        defer { ERR_clear_error() }
        let certificateFile = (option: CertificateFiles.certificateOption, path: files.certificatePath)
        let keyFile = (option: CertificateFiles.keyOption, path: files.keyPath)

        let count = occurrences(of: certificateMarker, in: certificatePEM)
        guard count > 0 else {
            throw ServingCertificateError(
                .noCertificate, option: certificateFile.option, path: certificateFile.path,
                reason: "no PEM certificate in it (no '-----BEGIN CERTIFICATE-----' line)")
        }
        // Every certificate block is read, so that a broken intermediate is found now and not by a client.
        let leaf: OpaquePointer? = certificatePEM.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            guard let first = PEM_read_bio_X509(bio, nil, nil, nil) else { return nil }
            for _ in 1..<count {
                guard let next = PEM_read_bio_X509(bio, nil, nil, nil) else {
                    X509_free(first)
                    return nil
                }
                X509_free(next)
            }
            return first
        }
        guard let leaf else {
            throw ServingCertificateError(
                .noCertificate, option: certificateFile.option, path: certificateFile.path,
                reason: "OpenSSL cannot read its certificate: \(errors())")
        }
        defer { X509_free(leaf) }

        guard occurrences(of: privateKeyMarker, in: keyPEM) > 0 else {
            throw ServingCertificateError(
                .noPrivateKey, option: keyFile.option, path: keyFile.path,
                reason: "no PEM private key in it (no '-----BEGIN … PRIVATE KEY-----' line)")
        }
        let key: OpaquePointer? = keyPEM.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            // A callback that gives no passphrase: without one OpenSSL would prompt on the terminal.
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in -1 }, nil)
        }
        guard let key else {
            let encrypted = encryptedMarkers.contains { occurrences(of: $0, in: keyPEM) > 0 }
            throw ServingCertificateError(
                .noPrivateKey, option: keyFile.option, path: keyFile.path,
                reason: encrypted
                    ? "the key is encrypted, and the gateway reads keys without a passphrase (decrypt it: openssl pkey -in KEY -out PLAIN): \(errors())"
                    : "OpenSSL cannot read its private key: \(errors())")
        }
        defer { EVP_PKEY_free(key) }

        guard X509_check_private_key(leaf, key) == 1 else {
            throw ServingCertificateError(
                .keyMismatch, option: keyFile.option, path: keyFile.path,
                reason: "the key does not belong to the certificate in \(certificateFile.option) \(certificateFile.path): \(errors())")
        }
        return subject(of: leaf)
    }

    /// The subject as `/CN=…/O=…`.
    private static func subject(of certificate: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        guard let name = X509_get_subject_name(certificate), X509_NAME_oneline(name, &buffer, Int32(buffer.count)) != nil else {
            return "(no subject)"
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Empties this thread's OpenSSL error queue into one line (reasons only, oldest first).
    private static func errors() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            let reason: String
            if let text = ERR_reason_error_string(code) {
                reason = String(cString: text)
            } else {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            // OpenSSL's decoders repeat a reason once per format they tried: once is enough.
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        return reasons.isEmpty ? "no detail from OpenSSL" : reasons.joined(separator: "; ")
    }

    private static func occurrences(of marker: [UInt8], in bytes: [UInt8]) -> Int {
        guard bytes.count >= marker.count else { return 0 }
        var found = 0
        var index = 0
        while index <= bytes.count - marker.count {
            if bytes[index] == marker[0], bytes[index..<(index + marker.count)].elementsEqual(marker) {
                found += 1
                index += marker.count
            } else {
                index += 1
            }
        }
        return found
    }
}
