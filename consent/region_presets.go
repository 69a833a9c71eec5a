package consent

// The presets below are the law as understood on 2026-12-01; laws change,
// so check them against your counsel's reading. They are functions, so that
// a caller who edits the slices they return changes nothing shared.

// RegionsEEA is the opt-in rule for the European Economic Area (the 27 EU
// member states, Iceland, Liechtenstein and Norway), the United Kingdom and
// Switzerland: the ePrivacy Directive art. 5(3) with GDPR consent, the UK's
// PECR reg. 6 with UK GDPR, and the Swiss FADP with Google's EU user consent
// policy, which counts Switzerland. Consent Mode defaults there are denied.
func RegionsEEA() RegionRule {
	return RegionRule{Name: "EEA+UK+CH", Model: ModelOptIn, Areas: []string{
		"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
		"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
		"IS", "LI", "NO", "GB", "CH",
	}}
}

// RegionsUSOptOut is the US states whose comprehensive privacy laws use
// the opt-out model (optional cookies may run; the site must offer an
// opt-out of the sale of personal data and of targeted advertising), in
// two rules.
//
// The first makes a Global Privacy Control signal a binding opt-out (a
// "universal opt-out mechanism" or "opt-out preference signal" the law
// requires controllers to honour), each from the date given:
//
//   - California: CCPA/CPRA, Cal. Civ. Code §1798.135(e) and 11 CCR §7025
//     (and §7025(c)(6), showing whether the signal was honoured, from
//     2026-01-01).
//   - Colorado: Colorado Privacy Act, C.R.S. §6-1-1306(1)(a)(IV), 2024-07-01.
//   - Connecticut: Connecticut Data Privacy Act, Conn. Gen. Stat. §42-520, 2025-01-01.
//   - Delaware: Personal Data Privacy Act, 2026-01-01.
//   - Maryland: Online Data Privacy Act, 2025-10-01.
//   - Minnesota: Consumer Data Privacy Act, 2025-07-31.
//   - Montana: Consumer Data Privacy Act, 2025-01-01.
//   - Nebraska: Data Privacy Act, 2025-01-01.
//   - New Hampshire: RSA 507-H, 2025-01-01.
//   - New Jersey: N.J.S.A. 56:8-166.4 et seq., 2025-07-15.
//   - Oregon: Consumer Privacy Act, ORS 646A.570 et seq., 2026-01-01.
//   - Texas: Data Privacy and Security Act, Tex. Bus. & Com. Code §541.055(e), 2025-01-01.
//
// The second grants the opt-out right without requiring controllers to
// honour the signal (it is still honoured for each request, as in every
// model, but neither recorded nor announced): Virginia (VCDPA), Utah
// (UCPA), Iowa (ICDPA), Tennessee (TIPA), Indiana (ICDPA, 2026-01-01),
// Kentucky (KCDPA, 2026-01-01) and Rhode Island (RIDTPPA, 2026-01-01).
//
// Sources: the statutes named; the IAPP "US State Privacy Legislation
// Tracker" and the GPC project's list of laws (globalprivacycontrol.org)
// for the signal, read in 2026-12.
//
// States without such a law are not listed; pair the preset with
// Regions.Elsewhere or a rule for "US" to choose their model.
func RegionsUSOptOut() []RegionRule {
	return []RegionRule{
		{Name: "US opt-out, GPC binding", Model: ModelOptOut, GPCBinding: true, Areas: []string{
			"US-CA", "US-CO", "US-CT", "US-DE", "US-MD", "US-MN", "US-MT", "US-NE", "US-NH", "US-NJ", "US-OR", "US-TX",
		}},
		{Name: "US opt-out", Model: ModelOptOut, Areas: []string{
			"US-VA", "US-UT", "US-IA", "US-TN", "US-IN", "US-KY", "US-RI",
		}},
	}
}

// RegionsBrazil is the opt-in rule for Brazil: the LGPD (Lei 13.709/2018),
// read for cookies by the ANPD's cookie guide (Guia orientativo: cookies e
// proteção de dados pessoais, 2022), which asks consent for cookies that
// are not necessary.
func RegionsBrazil() RegionRule {
	return RegionRule{Name: "Brazil", Model: ModelOptIn, Areas: []string{"BR"}}
}

// RegionsCanada is Quebec's opt-in rule, then the rest of Canada's opt-out
// one. Quebec's Law 25 (Act respecting the protection of personal
// information in the private sector, s. 8.1, from 2023-09-22) has
// technology that identifies, locates or profiles a person off by default;
// PIPEDA elsewhere accepts implied (opt-out) consent for non-sensitive
// uses such as online advertising, with an easy opt-out (the Privacy
// Commissioner's guidelines on privacy and online behavioural advertising).
func RegionsCanada() []RegionRule {
	return []RegionRule{
		{Name: "Quebec", Model: ModelOptIn, Areas: []string{"CA-QC"}},
		{Name: "Canada", Model: ModelOptOut, Areas: []string{"CA"}},
	}
}
