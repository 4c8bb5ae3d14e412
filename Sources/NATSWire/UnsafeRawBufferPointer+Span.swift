extension UnsafeRawBufferPointer {
    /// The sub-buffer for `range`, without the generic `Slice` machinery (hot path).
    @inlinable @inline(__always)
    public func span(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        guard let base = baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }
}
