package auditlog

// The consent log as ISO/IEC TS 27560:2023 consent records, in the W3C
// Data Privacy Vocabulary (DPV) JSON-LD profile the standard's Annex
// illustrates. Terms used, all in the DPV namespace https://w3id.org/dpv#
// (https://w3id.org/dpv/ and the w3c/dpv guide "consent-27560"):
//
//	dpv:ConsentRecord       the record of one decision
//	dpv:hasIdentifier       its identifier (the record's chain hash)
//	dpv:hasDataSubject      who decided: the pseudonymous consent ID
//	dpv:isIndicatedBy       who indicated the consent (the data subject)
//	dpv:isIndicatedAtTime   when (xsd:dateTime, UTC)
//	dpv:hasIndicationMethod how: the banner with or without JavaScript,
//	                        the site's API, or the GPC signal
//	dpv:hasDataController   the site's controller (Options.Controller)
//	dpv:hasJurisdiction     the controller's jurisdiction
//	dpv:hasNotice           the privacy policy and the snapshot of the
//	                        banner shown (urn:sha256:…)
//	dpv:hasPurpose          one consent per category, necessary aside
//	dpv:hasConsentStatus    dpv:ConsentGiven, dpv:ConsentRefused or
//	                        dpv:ConsentWithdrawn
//	dpv:hasRecipient        the category's third parties when shown
//	dct:hasPart, dct:hasVersion, dct:title  Dublin Core terms, as in the
//	                        DPV consent record examples
//
// The necessary category is left out: strictly necessary storage needs no
// consent (ePrivacy Directive, Art. 5(3)), and a record claiming one would
// misstate the legal basis.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/consentkit/consentkit/consent"
)

// Controller is the site's data controller, named in the standard exports
// and in visitors' receipts (ISO/IEC TS 27560 and the Kantara Consent
// Receipt both require one). Every field is optional; set at least Name.
type Controller struct {
	// Name is the controller's legal name, such as "Example News S.L.".
	Name string
	// Address, Email, Phone and Contact (a person or office, such as "Data
	// Protection Officer") say how to reach it; URL is its website.
	Address, Email, Phone, Contact, URL string
	// Jurisdiction is where the consent is given under, such as "EU" or
	// "ES" (ISO 3166 or "EU"). Default is "EU".
	Jurisdiction string
}

func (c Controller) jurisdiction() string {
	if c.Jurisdiction == "" {
		return "EU"
	}
	return c.Jurisdiction
}

// dpvContext is the JSON-LD context of every DPV document this package
// writes.
var dpvContext = map[string]string{
	"dpv": "https://w3id.org/dpv#",
	"dct": "http://purl.org/dc/terms/",
	"xsd": "http://www.w3.org/2001/XMLSchema#",
}

// The DPV consent statuses a category's decision maps to.
const (
	dpvGiven     = "dpv:ConsentGiven"
	dpvRefused   = "dpv:ConsentRefused"
	dpvWithdrawn = "dpv:ConsentWithdrawn"
)

type ldID struct {
	ID string `json:"@id"`
}

type ldTyped struct {
	Type  string `json:"@type"`
	Value string `json:"@value"`
}

type dpvController struct {
	ID      string   `json:"@id,omitempty"`
	Type    string   `json:"@type"`
	Name    string   `json:"dpv:hasName,omitempty"`
	Address string   `json:"dpv:hasAddress,omitempty"`
	Contact []string `json:"dpv:hasContact,omitempty"`
}

type dpvRecipient struct {
	Type string `json:"@type"`
	Name string `json:"dpv:hasName"`
}

type dpvConsent struct {
	Type      string         `json:"@type"`
	Purpose   dpvPurpose     `json:"dpv:hasPurpose"`
	Status    ldID           `json:"dpv:hasConsentStatus"`
	Recipient []dpvRecipient `json:"dpv:hasRecipient,omitempty"`
}

type dpvPurpose struct {
	ID    string `json:"@id"`
	Type  string `json:"@type"`
	Title string `json:"dct:title"`
}

// dpvRecord is one dpv:ConsentRecord. Field order is the JSON's.
type dpvRecord struct {
	Context      map[string]string `json:"@context,omitempty"`
	ID           string            `json:"@id"`
	Type         string            `json:"@type"`
	ConformsTo   string            `json:"dct:conformsTo"`
	Identifier   string            `json:"dpv:hasIdentifier"`
	DataSubject  ldID              `json:"dpv:hasDataSubject"`
	IndicatedBy  ldID              `json:"dpv:isIndicatedBy"`
	IndicatedAt  ldTyped           `json:"dpv:isIndicatedAtTime"`
	Method       string            `json:"dpv:hasIndicationMethod"`
	Controller   *dpvController    `json:"dpv:hasDataController,omitempty"`
	Jurisdiction string            `json:"dpv:hasJurisdiction"`
	Notice       []ldID            `json:"dpv:hasNotice"`
	Version      string            `json:"dct:hasVersion"`
	Parts        []dpvConsent      `json:"dct:hasPart"`
}

// indicationMethods words Record.Method for dpv:hasIndicationMethod.
var indicationMethods = map[consent.Method]string{
	consent.MethodBanner: "banner button, with JavaScript",
	consent.MethodForm:   "banner form, without JavaScript",
	consent.MethodAPI:    "the site's own interface, through the consent API",
	consent.MethodGPC:    "Global Privacy Control signal (Sec-GPC: 1) sent by the browser",
}

// newDPVRecord maps one entry. shown, when not nil, names each category's
// third parties.
func newDPVRecord(e *Entry, c Controller, shown *consent.Shown) dpvRecord {
	subject := ldID{ID: "urn:consentkit:consent-id:" + e.ConsentID}
	r := dpvRecord{
		ID:           "urn:consentkit:record:" + e.Hash,
		Type:         "dpv:ConsentRecord",
		ConformsTo:   "ISO/IEC TS 27560:2023",
		Identifier:   e.Hash,
		DataSubject:  subject,
		IndicatedBy:  subject,
		IndicatedAt:  ldTyped{Type: "xsd:dateTime", Value: e.Time.UTC().Format(time.RFC3339Nano)},
		Method:       indicationMethods[e.Method],
		Jurisdiction: c.jurisdiction(),
		Version:      e.PolicyVersion,
		Parts:        []dpvConsent{},
	}
	if r.Method == "" {
		r.Method = string(e.Method)
	}
	if c.Name != "" {
		dc := &dpvController{Type: "dpv:DataController", Name: c.Name, Address: c.Address}
		if c.URL != "" {
			dc.ID = c.URL
		}
		for _, s := range []string{c.Email, c.Phone, c.Contact} {
			if s != "" {
				dc.Contact = append(dc.Contact, s)
			}
		}
		r.Controller = dc
	}
	if e.PolicyURL != "" {
		r.Notice = append(r.Notice, ldID{ID: e.PolicyURL})
	}
	if e.ShownHash != "" {
		r.Notice = append(r.Notice, ldID{ID: "urn:sha256:" + e.ShownHash})
	}
	if r.Notice == nil {
		r.Notice = []ldID{}
	}
	withdrawn := map[string]bool{}
	for _, w := range e.Withdrawn {
		withdrawn[w] = true
	}
	for _, d := range e.Decisions {
		if d.Category == consent.Necessary {
			continue
		}
		part := dpvConsent{Type: "dpv:Consent",
			Purpose: dpvPurpose{ID: "urn:consentkit:purpose:" + d.Category, Type: "dpv:Purpose", Title: d.Category}}
		switch {
		case d.Granted:
			part.Status.ID = dpvGiven
		case withdrawn[d.Category]:
			part.Status.ID = dpvWithdrawn
		default:
			part.Status.ID = dpvRefused
		}
		if shown != nil {
			for _, p := range shown.Providers {
				if p.Category == d.Category {
					for _, name := range p.Providers {
						part.Recipient = append(part.Recipient, dpvRecipient{Type: "dpv:ThirdParty", Name: name})
					}
				}
			}
		}
		r.Parts = append(r.Parts, part)
	}
	return r
}

// RecordDPV returns the ISO/IEC TS 27560 consent record of e as a JSON-LD
// document in the DPV profile, naming c as the data controller and, when
// shown is the snapshot e.ShownHash names, each purpose's third parties.
// Log.DPV fills both from the log.
func RecordDPV(e *Entry, c Controller, shown *consent.Shown) ([]byte, error) {
	r := newDPVRecord(e, c, shown)
	r.Context = dpvContext
	return json.Marshal(r)
}

// DPV returns the ISO/IEC TS 27560 JSON-LD record of the entry at seq,
// with the controller of Options.Controller and the third parties of its
// snapshot.
func (l *Log) DPV(ctx context.Context, seq int64) ([]byte, error) {
	e, err := l.Get(ctx, seq)
	if err != nil {
		return nil, err
	}
	var shown *consent.Shown
	if e.ShownHash != "" {
		if s, err := l.Shown(ctx, e.ShownHash); err == nil {
			shown = &s
		}
	}
	return RecordDPV(&e, l.opts.Controller, shown)
}

// shownProviders reads every snapshot's providers, a few rows, so that an
// export can name third parties without a query per record.
func (l *Log) shownProviders(ctx context.Context) (map[string]*consent.Shown, error) {
	rs, err := l.eng.Reader().Query(ctx, `SELECT hash, providers FROM banner_snapshots`)
	if err != nil {
		return nil, fmt.Errorf("auditlog: read snapshots: %w", err)
	}
	defer rs.Close()
	out := map[string]*consent.Shown{}
	for rs.Next() {
		var hash, providers string
		if err := rs.Scan(&hash, &providers); err != nil {
			return nil, fmt.Errorf("auditlog: read snapshots: %w", err)
		}
		s := &consent.Shown{}
		if json.Unmarshal([]byte(providers), &s.Providers) == nil {
			out[hash] = s
		}
	}
	return out, rs.Err()
}

// WriteDPV streams the entries to w as one JSON-LD document: a @graph of
// ISO/IEC TS 27560 consent records in the DPV profile (see RecordDPV),
// memory not growing with the number of records. shown maps snapshot
// hashes to snapshots for the third parties; nil leaves them out.
func WriteDPV(w io.Writer, entries iter.Seq2[Entry, error], c Controller, shown map[string]*consent.Shown) error {
	bw := bufio.NewWriter(w)
	ctx, err := json.Marshal(dpvContext)
	if err != nil {
		return err
	}
	bw.WriteString(`{"@context":`)
	bw.Write(ctx)
	bw.WriteString(`,"@graph":[`)
	first := true
	for e, err := range entries {
		if err != nil {
			return err
		}
		b, err := json.Marshal(newDPVRecord(&e, c, shown[e.ShownHash]))
		if err != nil {
			return err
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		bw.WriteString("\n")
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}
