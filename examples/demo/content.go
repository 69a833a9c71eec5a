package main

// article is one story of the demo newspaper, in both of its languages.
type article struct {
	Slug    string
	Title   string
	Summary string
	Body    []string
}

// The demo's own stories. The site is a small harbour-town paper that
// publishes everything in English and Spanish.
var articles = map[string][]article{
	"en": {
		{
			Slug:    "ferry-timetable",
			Title:   "New winter timetable for the island ferry",
			Summary: "Crossings move to every ninety minutes from December, with an extra late boat on Fridays.",
			Body: []string{
				"The harbour authority confirmed on Monday that the island ferry will run every ninety minutes from the first of December, a change it says reflects the fall in visitors after the summer season.",
				"Residents asked for a later return on Fridays during the autumn consultation, and the new timetable adds a crossing at 23:10. The first boat of the day stays at 06:30.",
				"Tickets bought for the old timetable remain valid for any crossing on the same day.",
			},
		},
		{
			Slug:    "market-square",
			Title:   "Market square reopens after two years of works",
			Summary: "The stalls return on Saturday, with a covered area for the fish sellers and new lighting.",
			Body: []string{
				"After two years behind fences, the market square reopens this Saturday. The council kept the old paving stones where it could and replaced the drains that flooded the lower stalls every winter.",
				"Fish sellers get a covered area on the north side, and the square is lit at night for the first time since the lamps were removed in the nineties.",
			},
		},
	},
	"es": {
		{
			Slug:    "horario-ferry",
			Title:   "Nuevo horario de invierno para el ferry de la isla",
			Summary: "Desde diciembre habrá una salida cada noventa minutos y un barco más tarde los viernes.",
			Body: []string{
				"La autoridad portuaria confirmó el lunes que el ferry de la isla saldrá cada noventa minutos a partir del uno de diciembre, un cambio que atribuye al descenso de visitantes tras la temporada de verano.",
				"Durante la consulta de otoño los vecinos pidieron un regreso más tardío los viernes, y el nuevo horario añade una travesía a las 23:10. El primer barco del día sigue saliendo a las 06:30.",
				"Los billetes comprados con el horario anterior siguen siendo válidos para cualquier travesía del mismo día.",
			},
		},
		{
			Slug:    "plaza-mercado",
			Title:   "La plaza del mercado reabre tras dos años de obras",
			Summary: "Los puestos vuelven el sábado, con una zona cubierta para las pescaderas y alumbrado nuevo.",
			Body: []string{
				"Después de dos años entre vallas, la plaza del mercado reabre este sábado. El ayuntamiento conservó los adoquines antiguos donde pudo y cambió los desagües que inundaban cada invierno los puestos de la parte baja.",
				"Las pescaderas estrenan una zona cubierta en el lado norte, y la plaza vuelve a tener luz por la noche por primera vez desde que se retiraron las farolas en los años noventa.",
			},
		},
	},
}

// ui holds the demo site's own strings (the banner's come from consentkit's
// catalogs).
var ui = map[string]map[string]string{
	"en": {
		"site":       "The Harbour Gazette",
		"tagline":    "News from the harbour town, in English and Spanish",
		"other":      "Leer en español",
		"otherHref":  "/es/",
		"read":       "Read more",
		"state":      "Your cookie choices",
		"undecided":  "You have not chosen yet: only necessary cookies are used.",
		"decided":    "You chose on",
		"granted":    "Allowed",
		"id":         "Consent ID",
		"gpc":        "Your browser sent a Global Privacy Control signal, and we honour it.",
		"change":     "Change your choice here, without JavaScript:",
		"accept":     "Accept all",
		"reject":     "Reject all",
		"save":       "Save choices",
		"video":      "Harbour webcam (embedded video, marketing)",
		"privacy":    "Privacy policy",
		"home":       "Front page",
		"privacyTxt": "The Harbour Gazette sets only the cookies listed below. Necessary cookies are set without asking; all others only after you agree, and you can withdraw at any time from the cookie settings link at the bottom of every page.",
	},
	"es": {
		"site":       "La Gaceta del Puerto",
		"tagline":    "Noticias del pueblo del puerto, en español e inglés",
		"other":      "Read in English",
		"otherHref":  "/en/",
		"read":       "Seguir leyendo",
		"state":      "Sus preferencias de cookies",
		"undecided":  "Todavía no ha elegido: solo se usan las cookies necesarias.",
		"decided":    "Eligió el",
		"granted":    "Permitidas",
		"id":         "ID de consentimiento",
		"gpc":        "Su navegador envió una señal Global Privacy Control y la respetamos.",
		"change":     "Cambie aquí su elección, sin JavaScript:",
		"accept":     "Aceptar todas",
		"reject":     "Rechazar todas",
		"save":       "Guardar elección",
		"video":      "Cámara del puerto (vídeo incrustado, marketing)",
		"privacy":    "Política de privacidad",
		"home":       "Portada",
		"privacyTxt": "La Gaceta del Puerto solo instala las cookies que se indican abajo. Las necesarias se instalan sin preguntar; las demás, solo después de que usted lo acepte, y puede retirar su consentimiento en cualquier momento desde el enlace de configuración de cookies al pie de cada página.",
	},
}
