// A stand-in for an advertising tag.
window.demoAds = (window.demoAds || 0) + 1;
document.documentElement.dataset.ads = "ran";
