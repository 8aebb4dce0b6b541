package isms

// ServiceDisclosure is what a provider tells the customers of a cloud
// service beyond the allocation of responsibilities (JIS Q 27017 6.1.1,
// CLD.6.3.1): the facts a customer needs for its own risk assessment.
// Every field is optional; backup and monitoring fall back to the
// service's backup policy and monitoring items.
type ServiceDisclosure struct {
	// Jurisdictions are the countries (ISO 3166 codes, or EU) whose law
	// applies to the customers' data (18.1.1), beside DataLocations.
	Jurisdictions []string
	// ChangeNotification: how and how long in advance customers learn
	// of changes that affect them (12.1.2).
	ChangeNotification string
	// IncidentReporting: where customers report security events and how
	// the provider notifies them of incidents (16.1.1, 16.1.2).
	IncidentReporting string
	// Backup: the backup specification offered (12.3.1).
	Backup string
	// Monitoring: the monitoring made available to customers (CLD.12.4.5).
	Monitoring string
	// Exit: the return and deletion of customers' data when the service
	// ends (CLD.8.1.5).
	Exit string
	// SLAFigures are the service level commitments as figures.
	SLAFigures []SLAFigure
}

// SLAFigure is one service level commitment: a metric and its target.
type SLAFigure struct {
	Metric string
	Target string
}

// IsEmpty reports whether a disclosure says nothing.
func (d *ServiceDisclosure) IsEmpty() bool {
	return d == nil || (len(d.Jurisdictions) == 0 && d.ChangeNotification == "" && d.IncidentReporting == "" &&
		d.Backup == "" && d.Monitoring == "" && d.Exit == "" && len(d.SLAFigures) == 0)
}
