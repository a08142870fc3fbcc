import ArgumentParser
import Distributed

/// An environment variable that does not parse is refused as a bad option is: a usage error
/// (exit code 64) with ``EnvironmentError``'s message, which names the variable.
func fromEnvironment<T>(_ read: () throws -> T) throws -> T {
    do {
        return try read()
    } catch let error as EnvironmentError {
        throw ValidationError(error.description)
    }
}
