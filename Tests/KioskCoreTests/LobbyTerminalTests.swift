import Foundation
import Testing
@testable import KioskCore

/// A site with two ticket terminals in the lobby (two `[station]`s with role = lobby): each
/// resident works on their own screen, while tickets come from the one shared queue.
@Suite("Several lobby terminals")
struct LobbyTerminalTests {
    @Test func eachTerminalKeepsItsOwnChoiceAndLanguage() {
        var h = Harness()
        h.press("1", .lobby, terminal: "east")                    // east is choosing repairs…
        h.press("0", .lobby, terminal: "west")                    // …while west switches to English
        h.press("2E", .lobby, terminal: "west")                   // and takes a fees ticket
        #expect(h.machine.lobbyTerminal("east").mode == .choosing(priority: false, service: "repairs", since: h.now))
        #expect(h.machine.lobbyTerminal("east").language == .chinese)
        #expect(h.machine.lobbyTerminal("west").mode == .ticket(label: "B001", since: h.now))
        #expect(h.machine.lobbyTerminal("west").language == .english)
        h.press("E", .lobby, terminal: "east")                    // east's resident confirms
        #expect(h.machine.lobbyTerminal("east").mode == .ticket(label: "A001", since: h.now))
        #expect(h.types() == [.ticketIssued, .ticketIssued])
        // The screens follow: east shows its ticket in Chinese, west its own in English.
        let screens = ScreenBuilder(catalogs: shippedCatalogs())
        let east = screens.screen(for: .lobby, h.machine, terminal: "east", now: h.now)
        let west = screens.screen(for: .lobby, h.machine, terminal: "west", now: h.now)
        #expect(east.blocks.contains(.banner("A001", .accent)) && !east.blocks.contains(.banner("B001", .accent)))
        #expect(west.blocks.contains(.banner("B001", .accent)))
        #expect(east.title != west.title, "one in Chinese, one in English")
        // A terminal nobody touched shows the idle lobby.
        #expect(h.machine.lobbyTerminal("north").mode == .idle)
    }

    @Test func everyTerminalTimesOutOnItsOwn() {
        var h = Harness()
        h.press("1E", .lobby, terminal: "east")
        h.advance(5)
        h.press("0", .lobby, terminal: "west")                    // west: English, nothing chosen
        h.advance(5)
        #expect(h.machine.lobbyTerminal("east").mode == .idle, "east's ticket screen went back after its 10 s")
        #expect(h.machine.lobbyTerminal("west").language == .english, "west's resident is still there")
        h.advance(5)
        #expect(h.machine.lobbyTerminal("west").language == .chinese, "west's language went back after its pause")
    }
}
