/// The address could not be listened on (a plain error: no usage text under it).
struct ListenError: Error, CustomStringConvertible {
    let description: String
}
