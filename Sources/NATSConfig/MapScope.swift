/// A map under construction. Open maps form the scope chain for `$variable`
/// lookup, and references mark the entries they use.
final class MapScope {
    private(set) var entries: [ConfigEntry] = []

    /// Adds an entry; a key defined again (same spelling) replaces the earlier
    /// definition, as in nats-server, and moves to the end.
    func set(_ entry: ConfigEntry) {
        var entry = entry
        if let i = entries.firstIndex(where: { $0.key == entry.key }) {
            entry.isUsedAsVariable = entry.isUsedAsVariable || entries[i].isUsedAsVariable
            entries.remove(at: i)
        }
        entries.append(entry)
    }

    /// Looks up a key (exact spelling) for a variable reference and marks it used.
    func resolve(_ name: String) -> ConfigNode? {
        guard let i = entries.lastIndex(where: { $0.key == name }) else { return nil }
        entries[i].isUsedAsVariable = true
        return entries[i].node
    }
}
