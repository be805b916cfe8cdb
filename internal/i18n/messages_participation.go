package i18n

// The participation module's messages.
var participationMessages = map[string][2]string{}

func init() { add(participationMessages) }
