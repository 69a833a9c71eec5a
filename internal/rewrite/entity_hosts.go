// Code generated from the HTML standard's named character references and
// golang.org/x/net/idna's UTS #46 mapping by go generate (./gen); DO NOT EDIT.
// The generator kept every name whose character, inside a host, a browser's
// "domain to ASCII" maps to ASCII or drops (after the HTML parser has
// resolved the reference), so that "www.&gopf;oogle-analytics.com" and
// "www.google-ana&shy;lytics.com" are looked up as the host they name.

package rewrite

// hostRefs maps the names (without ';') of those references to their
// characters.
var hostRefs = map[string]string{
	"Afr": "𝔄", "Aopf": "𝔸", "Ascr": "𝒜", "Bernoullis": "ℬ", "Bfr": "𝔅", "Bopf": "𝔹",
	"Bscr": "ℬ", "CapitalDifferentialD": "ⅅ", "Cayleys": "ℭ", "Cfr": "ℭ", "Colone": "⩴",
	"Copf": "ℂ", "Cscr": "𝒞", "DD": "ⅅ", "Dfr": "𝔇", "DifferentialD": "ⅆ", "Dopf": "𝔻",
	"Dscr": "𝒟", "Efr": "𝔈", "Eopf": "𝔼", "Equal": "⩵", "Escr": "ℰ", "ExponentialE": "ⅇ",
	"Ffr": "𝔉", "Fopf": "𝔽", "Fouriertrf": "ℱ", "Fscr": "ℱ", "Gfr": "𝔊", "Gopf": "𝔾",
	"Gscr": "𝒢", "Hfr": "ℌ", "HilbertSpace": "ℋ", "Hopf": "ℍ", "Hscr": "ℋ", "IJlig": "Ĳ",
	"Ifr": "ℑ", "Im": "ℑ", "ImaginaryI": "ⅈ", "Iopf": "𝕀", "Iscr": "ℐ", "Jfr": "𝔍",
	"Jopf": "𝕁", "Jscr": "𝒥", "Kfr": "𝔎", "Kopf": "𝕂", "Kscr": "𝒦", "Laplacetrf": "ℒ",
	"Lfr": "𝔏", "Lopf": "𝕃", "Lscr": "ℒ", "Mellintrf": "ℳ", "Mfr": "𝔐", "Mopf": "𝕄",
	"Mscr": "ℳ", "NegativeMediumSpace": "\u200b", "NegativeThickSpace": "\u200b",
	"NegativeThinSpace": "\u200b", "NegativeVeryThinSpace": "\u200b", "Nfr": "𝔑", "NoBreak": "\u2060",
	"Nopf": "ℕ", "Nscr": "𝒩", "Ofr": "𝔒", "Oopf": "𝕆", "Oscr": "𝒪", "Pfr": "𝔓",
	"Poincareplane": "ℌ", "Popf": "ℙ", "Pscr": "𝒫", "Qfr": "𝔔", "Qopf": "ℚ", "Qscr": "𝒬",
	"Re": "ℜ", "Rfr": "ℜ", "Ropf": "ℝ", "Rscr": "ℛ", "Sfr": "𝔖", "Sopf": "𝕊", "Sscr": "𝒮",
	"TRADE": "™", "Tfr": "𝔗", "Topf": "𝕋", "Tscr": "𝒯", "Ufr": "𝔘", "Uopf": "𝕌",
	"Uscr": "𝒰", "Vfr": "𝔙", "Vopf": "𝕍", "Vscr": "𝒱", "Wfr": "𝔚", "Wopf": "𝕎",
	"Wscr": "𝒲", "Xfr": "𝔛", "Xopf": "𝕏", "Xscr": "𝒳", "Yfr": "𝔜", "Yopf": "𝕐",
	"Yscr": "𝒴", "ZeroWidthSpace": "\u200b", "Zfr": "ℨ", "Zopf": "ℤ", "Zscr": "𝒵", "afr": "𝔞",
	"aopf": "𝕒", "ascr": "𝒶", "bernou": "ℬ", "bfr": "𝔟", "bopf": "𝕓", "bscr": "𝒷",
	"cfr": "𝔠", "circledS": "Ⓢ", "complexes": "ℂ", "copf": "𝕔", "cscr": "𝒸", "dd": "ⅆ",
	"dfr": "𝔡", "dopf": "𝕕", "dscr": "𝒹", "ee": "ⅇ", "efr": "𝔢", "ell": "ℓ", "eopf": "𝕖",
	"escr": "ℯ", "expectation": "ℰ", "exponentiale": "ⅇ", "ffilig": "ﬃ", "fflig": "ﬀ",
	"ffllig": "ﬄ", "ffr": "𝔣", "filig": "ﬁ", "fllig": "ﬂ", "fopf": "𝕗", "fscr": "𝒻",
	"gfr": "𝔤", "gopf": "𝕘", "gscr": "ℊ", "hamilt": "ℋ", "hfr": "𝔥", "hopf": "𝕙",
	"hscr": "𝒽", "ifr": "𝔦", "ii": "ⅈ", "ijlig": "ĳ", "image": "ℑ", "imagline": "ℐ",
	"imagpart": "ℑ", "incare": "℅", "integers": "ℤ", "iopf": "𝕚", "iscr": "𝒾", "jfr": "𝔧",
	"jopf": "𝕛", "jscr": "𝒿", "kfr": "𝔨", "kopf": "𝕜", "kscr": "𝓀", "lagran": "ℒ",
	"lfr": "𝔩", "lopf": "𝕝", "lscr": "𝓁", "mfr": "𝔪", "mopf": "𝕞", "mscr": "𝓂",
	"naturals": "ℕ", "nfr": "𝔫", "nopf": "𝕟", "nscr": "𝓃", "numero": "№", "oS": "Ⓢ",
	"ofr": "𝔬", "oopf": "𝕠", "order": "ℴ", "orderof": "ℴ", "ordf": "ª", "ordm": "º", "oscr": "ℴ",
	"pfr": "𝔭", "phmmat": "ℳ", "planckh": "ℎ", "popf": "𝕡", "primes": "ℙ", "pscr": "𝓅",
	"qfr": "𝔮", "qopf": "𝕢", "qscr": "𝓆", "quaternions": "ℍ", "rationals": "ℚ", "real": "ℜ",
	"realine": "ℛ", "realpart": "ℜ", "reals": "ℝ", "rfr": "𝔯", "ropf": "𝕣", "rscr": "𝓇",
	"sfr": "𝔰", "shy": "\u00ad", "sopf": "𝕤", "sscr": "𝓈", "sup1": "¹", "sup2": "²", "sup3": "³",
	"tfr": "𝔱", "topf": "𝕥", "trade": "™", "tscr": "𝓉", "ufr": "𝔲", "uopf": "𝕦",
	"uscr": "𝓊", "vfr": "𝔳", "vopf": "𝕧", "vscr": "𝓋", "wfr": "𝔴", "wopf": "𝕨",
	"wscr": "𝓌", "xfr": "𝔵", "xopf": "𝕩", "xscr": "𝓍", "yfr": "𝔶", "yopf": "𝕪",
	"yscr": "𝓎", "zeetrf": "ℨ", "zfr": "𝔷", "zopf": "𝕫", "zscr": "𝓏",
}
