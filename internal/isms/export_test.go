package isms

// TaskSourceKinds lists, for each task source, the task kinds it declares
// it makes and the kinds of the tasks it lists of m: the carried-over task
// list finds a source's old tasks by the kinds it declares.
func TaskSourceKinds(m *ISMS, asOf Date) (declared, made [][]string) {
	for _, src := range taskSources {
		var kinds []string
		src.run(m, asOf, func(t Task) { kinds = append(kinds, t.Kind) })
		declared, made = append(declared, src.makes), append(made, kinds)
	}
	return declared, made
}
