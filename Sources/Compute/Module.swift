// Compute module
