#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskCore
import KioskCentralClient
import KioskProtocol
import KioskStorage

/// Reads back what the centre holds of this kiosk's log (`GET /v1/events`), for
/// `kioskctl restore --from-central`: page after page from `after`, each event decoded into the
/// kiosk's own vocabulary, so `Restore` can write it back with its seq.
extension SyncWorker.Options {
    public enum FetchError: Error, CustomStringConvertible {
        case sync(SyncError)
        /// The centre answered with an event this kiosk cannot read, or for another kiosk.
        case unreadable(String)

        public var description: String {
            switch self {
            case .sync(let e): "\(e)"
            case .unreadable(let text): text
            }
        }
    }

    public func fetchCentralCopy(after: Int64, pageSize: Int = ProtocolLimits.maxEventsPerBatch) throws(FetchError) -> Restore.CentralCopy {
        CentralClient.blockSIGPIPEOnThisThread()
        let client: CentralClient
        do {
            client = CentralClient(
                baseURL: centralURL, token: try CentralClient.readToken(path: tokenFile), caFile: caFile, requestTimeout: 60)
        } catch { throw .sync(error) }
        let decoder = KioskEvent.makeDecoder()
        let encoder = JSONEncoder()
        var copy = Restore.CentralCopy(kiosk: kioskID, ackedSeq: 0, highestSeq: 0, events: [])
        var cursor = max(0, after)
        while true {
            let page: OwnEventsReply
            do { page = try client.fetchOwnEvents(after: cursor, limit: pageSize) } catch { throw .sync(error) }
            if page.kiosk != kioskID {
                throw .unreadable(
                    "the token in \(tokenFile) belongs to kiosk \(page.kiosk) at the centre, but kiosk.conf says id = \(kioskID) in [kiosk]: restoring another kiosk's log would mix two kiosks; fix the id or the token-file")
            }
            copy.kiosk = page.kiosk
            copy.ackedSeq = page.ackedSeq
            copy.highestSeq = page.highestSeq
            for e in page.events {
                guard e.seq > cursor else {
                    throw .unreadable("the centre answered event #\(e.seq) after #\(cursor): out of order; try again, and tell IT if it repeats")
                }
                do {
                    let event = try decoder.decode(KioskEvent.self, from: try encoder.encode(e.payload))
                    copy.events.append(RecordedEvent(seq: e.seq, kiosk: page.kiosk, event: event))
                } catch {
                    throw .unreadable(
                        "event #\(e.seq) (\(e.type)) from the centre cannot be read by this kioskctl (\(error)); was it sent by a newer kioskd? Upgrade kioskctl, then try again")
                }
                cursor = e.seq
            }
            if page.events.count < pageSize { return copy }
        }
    }
}
