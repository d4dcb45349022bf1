package runtime

// Version is the runtime's version.
const Version = "0.3.0"
