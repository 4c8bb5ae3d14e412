/// The route dialect: interest (RS±, LS±) and routed messages (RMSG, HMSG, LMSG), following
/// nats-server route.go processRemoteSub, parseUnsubProto, processRoutedMsgArgs,
/// processRoutedHeaderMsgArgs and processRoutedOriginClusterMsgArgs.
extension WireParser {
    /// Parses one complete control line of a route. Client ops (PUB, HPUB, SUB, UNSUB, MSG) are
    /// unknown operations here.
    @inlinable
    func parseRouteLine(_ b: UnsafeRawBufferPointer, _ start: Int, _ lineEnd: Int, _ after: Int,
                        accountInOps: Bool) -> ParseStep {
        switch b[start] | 0x20 {
        case UInt8(ascii: "r"):
            if let argStart = WireScan.keyword(b, start, lineEnd, "rmsg") {
                return parseRouted(b, argStart, lineEnd, after, "RMSG", origin: false, account: accountInOps, headers: false)
            }
            if let argStart = WireScan.keyword(b, start, lineEnd, "rs+") {
                return parseInterest(b, argStart, lineEnd, after, "RS+", origin: false, account: accountInOps, subscribe: true)
            }
            if let argStart = WireScan.keyword(b, start, lineEnd, "rs-") {
                return parseInterest(b, argStart, lineEnd, after, "RS-", origin: false, account: accountInOps, subscribe: false)
            }
            return .failure(.unknownOperation)
        case UInt8(ascii: "l"):
            if let argStart = WireScan.keyword(b, start, lineEnd, "lmsg") {
                return parseRouted(b, argStart, lineEnd, after, "LMSG", origin: true, account: accountInOps, headers: true)
            }
            if let argStart = WireScan.keyword(b, start, lineEnd, "ls+") {
                return parseInterest(b, argStart, lineEnd, after, "LS+", origin: true, account: accountInOps, subscribe: true)
            }
            if let argStart = WireScan.keyword(b, start, lineEnd, "ls-") {
                return parseInterest(b, argStart, lineEnd, after, "LS-", origin: leafUnsubCarriesOrigin,
                                     account: accountInOps, subscribe: false)
            }
            return .failure(.unknownOperation)
        case UInt8(ascii: "h"):
            guard let argStart = WireScan.keyword(b, start, lineEnd, "hmsg") else { return .failure(.unknownOperation) }
            return parseRouted(b, argStart, lineEnd, after, "HMSG", origin: false, account: accountInOps, headers: true)
        default:
            return parseControl(b, start, lineEnd, after)
        }
    }

    /// `[origin] [account] <subject>`, then `[<queue> <weight>]` when subscribing or `[queue]`
    /// when not. A queue without a weight, or a weight that is not a size, is a bad argument.
    @inlinable
    func parseInterest(_ b: UnsafeRawBufferPointer, _ argStart: Int, _ lineEnd: Int, _ after: Int, _ name: StaticString,
                       origin hasOrigin: Bool, account hasAccount: Bool, subscribe: Bool) -> ParseStep {
        var i = argStart
        let absent = argStart..<argStart
        let origin = hasOrigin ? WireScan.nextArg(b, &i, lineEnd) : absent
        let account = hasAccount ? WireScan.nextArg(b, &i, lineEnd) : absent
        let subject = WireScan.nextArg(b, &i, lineEnd)
        let queue = WireScan.nextArg(b, &i, lineEnd)
        let weightArgument = subscribe ? WireScan.nextArg(b, &i, lineEnd) : absent
        // nextArg returns empty only at the end, so a subject means every argument before it is there.
        guard !subject.isEmpty, WireScan.nextArg(b, &i, lineEnd).isEmpty else {
            return .failure(.badArguments(op: name.description))
        }
        var weight = 0
        if !queue.isEmpty {
            weight = subscribe ? WireScan.size(b, weightArgument) : 1
            guard weight >= 0 else { return .failure(.badArguments(op: name.description)) }
        }
        let frame = InterestFrame(origin: origin, account: account, subject: subject, queue: queue, weight: weight)
        return .op(subscribe ? .routeSub(frame) : .routeUnsub(frame), next: after)
    }

    /// `[origin] [account] <subject>`, then one of `<sizes>`, `<reply> <sizes>`,
    /// `+ <reply> [queue...] <sizes>` or `| <queue>... <sizes>`, where `<sizes>` is `<size>`, or
    /// `<hdr> <total>` with `headers`. The queue count is unbounded, so the arguments after the
    /// subject are scanned once, keeping the first three and the last three. A size above
    /// ``maxPayload`` fails (a memory bound on a route, see there).
    @inlinable
    func parseRouted(_ b: UnsafeRawBufferPointer, _ argStart: Int, _ lineEnd: Int, _ after: Int, _ name: StaticString,
                     origin hasOrigin: Bool, account hasAccount: Bool, headers: Bool) -> ParseStep {
        var i = argStart
        let absent = argStart..<argStart
        let origin = hasOrigin ? WireScan.nextArg(b, &i, lineEnd) : absent
        let account = hasAccount ? WireScan.nextArg(b, &i, lineEnd) : absent
        let subject = WireScan.nextArg(b, &i, lineEnd)
        var first = (absent, absent, absent)
        var last = (absent, absent, absent)  // last, second to last, third to last
        var n = 0
        while true {
            let argument = WireScan.nextArg(b, &i, lineEnd)
            if argument.isEmpty { break }
            switch n {
            case 0: first.0 = argument
            case 1: first.1 = argument
            case 2: first.2 = argument
            default: break
            }
            last = (argument, last.0, last.1)
            n += 1
        }
        let sizes = headers ? 2 : 1
        guard !subject.isEmpty, n >= sizes else { return .failure(.badArguments(op: name.description)) }
        var reply = absent
        var queues = absent
        if n == sizes + 1 {
            reply = first.0
        } else if n > sizes + 1 {
            guard first.0.count == 1 else { return .failure(.badArguments(op: name.description)) }
            let firstQueue: Range<Int>
            let firstQueueIndex: Int
            switch b[first.0.lowerBound] {
            case UInt8(ascii: "+"): (reply, firstQueue, firstQueueIndex) = (first.1, first.2, 2)
            case UInt8(ascii: "|"): (firstQueue, firstQueueIndex) = (first.1, 1)
            default: return .failure(.badArguments(op: name.description))
            }
            if n - sizes - 1 >= firstQueueIndex {
                queues = firstQueue.lowerBound..<(headers ? last.2 : last.1).upperBound
            }
        }
        let total = WireScan.size(b, last.0)
        let headerLength = headers ? WireScan.size(b, last.1) : -1
        guard total >= 0, !headers || (headerLength >= 0 && headerLength <= total) else {
            return .failure(.badArguments(op: name.description))
        }
        if total > maxPayload { return .failure(.maxPayloadExceeded(size: total)) }
        return body(b, after, total) {
            .routedMsg(RoutedFrame(origin: origin, account: account, subject: subject, reply: reply, queues: queues,
                                   headerLength: headerLength, body: $0))
        }
    }
}
