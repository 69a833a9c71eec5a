// A stand-in for an analytics tag: it records that it ran, and sets a
// cookie of its own, which consentkit must block until analytics is granted.
window.demoAnalytics = (window.demoAnalytics || 0) + 1;
document.documentElement.dataset.analytics = "ran";
