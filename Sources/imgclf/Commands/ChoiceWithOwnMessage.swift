import ArgumentParser

/// A string-choice option whose refusal keeps the command's own message (users and tests
/// know it): ArgumentParser lists the choices (help, completion) and takes any text here;
/// the command's `validate()` refuses text that names no choice, with that message.
struct ChoiceWithOwnMessage<Choice: ExpressibleByArgument & CaseIterable>: ExpressibleByArgument {
    /// The text given.
    let text: String
    /// The choice it names, nil when none.
    let choice: Choice?

    init(_ choice: Choice) {
        text = choice.defaultValueDescription
        self.choice = choice
    }

    init?(argument: String) {
        text = argument
        choice = Choice(argument: argument)
    }

    var defaultValueDescription: String { text }

    static var allValueStrings: [String] { Choice.allValueStrings }

    static var defaultCompletionKind: CompletionKind { Choice.defaultCompletionKind }
}
