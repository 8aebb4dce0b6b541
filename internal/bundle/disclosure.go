package bundle

import "github.com/cloudisms/cloudisms/internal/isms"

// serviceDisclosure reads cloud_services[].disclosure: what a provider
// tells its customers (JIS Q 27017 6.1.1, CLD.6.3.1).
func (d *decoder) serviceDisclosure(n *node, path string) *isms.ServiceDisclosure {
	x := &isms.ServiceDisclosure{}
	d.object(n, path, []field{
		{"jurisdictions", false, func(v *node, p string) { x.Jurisdictions = d.strs(v, p, d.text) }},
		{"change_notification", false, func(v *node, p string) { x.ChangeNotification = d.str(v, p) }},
		{"incident_reporting", false, func(v *node, p string) { x.IncidentReporting = d.str(v, p) }},
		{"backup", false, func(v *node, p string) { x.Backup = d.str(v, p) }},
		{"monitoring", false, func(v *node, p string) { x.Monitoring = d.str(v, p) }},
		{"exit", false, func(v *node, p string) { x.Exit = d.str(v, p) }},
		{"sla_figures", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) {
				var f isms.SLAFigure
				d.object(it, ip, []field{
					{"metric", true, func(v *node, p string) { f.Metric = d.str(v, p) }},
					{"target", true, func(v *node, p string) { f.Target = d.str(v, p) }},
				})
				x.SLAFigures = append(x.SLAFigures, f)
			})
		}},
	})
	if x.IsEmpty() {
		return nil
	}
	return x
}

func serviceDisclosure(x *isms.ServiceDisclosure) *enode {
	if x.IsEmpty() {
		return nil
	}
	return newObj().put("jurisdictions", strs(x.Jurisdictions)).put("change_notification", str(x.ChangeNotification)).
		put("incident_reporting", str(x.IncidentReporting)).put("backup", str(x.Backup)).put("monitoring", str(x.Monitoring)).
		put("exit", str(x.Exit)).put("sla_figures", seq(x.SLAFigures, func(f isms.SLAFigure) *enode {
		return newObj().put("metric", str(f.Metric)).put("target", str(f.Target)).node()
	})).node()
}
