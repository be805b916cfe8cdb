package i18n

// The search module's messages.
var searchMessages = map[string][2]string{}

func init() { add(searchMessages) }
