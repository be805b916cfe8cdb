package i18n

// The consultations module's messages.
var consultationMessages = map[string][2]string{}

func init() { add(consultationMessages) }
