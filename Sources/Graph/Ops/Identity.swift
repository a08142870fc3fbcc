/// `_copy` / `identity` need no op: the executor maps their output to their input's value.
enum IdentityOps {
    static let names: Set<String> = ["_copy", "identity"]
}
