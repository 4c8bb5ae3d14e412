/// Stream imports at subscription time: a client subscription in an importing account gets a
/// shadow subscription in each exporting account whose imported subjects it overlaps
/// (nats-server client.go: addShadowSubscriptions).
extension Account {
    /// Creates and inserts the shadows of `sub`; the caller stores them in `sub.shadows`.
    func makeShadows(for sub: Subscription) -> [Subscription] {
        streamImports.compactMap { route in
            guard let watch = route.watch(for: sub.subject) else { return nil }
            let shadow = Subscription(shadowing: sub, subject: watch.remote, route: route)
            route.exporter.insert(shadow)
            return shadow
        }
    }
}

extension Subscription {
    /// Removes this subscription's shadows from the exporting accounts.
    static func removeShadows(_ shadows: [Subscription]) {
        for shadow in shadows {
            shadow.streamImport?.exporter.remove(shadow)
        }
    }
}
