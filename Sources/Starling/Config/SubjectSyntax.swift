import NATSSubjects

/// Subject checks for configuration values.
enum SubjectSyntax {
    static func isValid(_ subject: String) -> Bool { Subject.isValid(Array(subject.utf8)) }
}
