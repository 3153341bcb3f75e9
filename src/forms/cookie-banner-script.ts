/**
 * The cookie banner script a workspace puts on its own pages
 * (`<script src="/f/cookie-banner.js?workspace=<slug>">`). What it does, on every page load:
 *
 * - Holds scripts until consent: a script written as
 *   `<script type="text/plain" data-lawful-category="analytics" [src="…"]>` is inert; the banner
 *   activates it (a real script with the same source or text) only once its category is accepted.
 * - Dispatches `lawful:cookie-consent` on window with `{choices, gpc, initial}` at load (the
 *   stored choices, null before any) and after every change, for the page's own code.
 * - Shows a persistent "Cookie settings" button once a choice is stored; any element with
 *   `data-lawful-cookie-settings` opens the banner too (`window.lawfulShowCookieBanner()`).
 * - Honours Global Privacy Control: with `navigator.globalPrivacyControl`, categories whose purpose
 *   sells or shares personal information are rejected and cannot be ticked, even after an
 *   earlier "Accept all"; for a known visitor the signal is sent as their opt-out.
 * - Nothing is pre-ticked, rejecting is one click, and no cookie is set before a choice.
 */
export const BANNER_SCRIPT = `(function () {
  var config = __CONFIG__;
  var storageKey = 'lawful_cookie_choices:' + config.workspace;
  var gpc = navigator.globalPrivacyControl === true;
  var selling = {};
  config.categories.forEach(function (category) { if (category.sellsOrShares) selling[category.key] = true; });
  function stored() { try { return JSON.parse(localStorage.getItem(storageKey) || 'null'); } catch (e) { return null; } }
  function store(choices) { try { localStorage.setItem(storageKey, JSON.stringify(choices)); } catch (e) {} }
  function announce(choices, initial) {
    window.dispatchEvent(new CustomEvent('lawful:cookie-consent', { detail: { choices: choices, gpc: gpc, initial: initial } }));
  }
  function post(choices) {
    var body = { workspace: config.workspace, choices: choices };
    if (window.lawfulVisitor) body.visitor = window.lawfulVisitor;
    if (gpc) body.globalPrivacyControl = true;
    fetch(config.endpoint, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(function () {});
  }
  // Global Privacy Control is the visitor's "no" to sale and sharing, whatever they clicked before.
  function withGpc(choices) {
    if (!gpc || !choices) return { choices: choices, changed: false };
    var out = {}, changed = false;
    Object.keys(choices).forEach(function (key) { out[key] = selling[key] ? false : choices[key]; if (out[key] !== choices[key]) changed = true; });
    return { choices: out, changed: changed };
  }
  function activate(choices) {
    var held = document.querySelectorAll('script[type="text/plain"][data-lawful-category]');
    Array.prototype.forEach.call(held, function (placeholder) {
      if (placeholder.getAttribute('data-lawful-activated') || !choices || choices[placeholder.getAttribute('data-lawful-category')] !== true) return;
      var script = document.createElement('script');
      Array.prototype.forEach.call(placeholder.attributes, function (attribute) {
        if (attribute.name !== 'type' && attribute.name.indexOf('data-lawful-') !== 0) script.setAttribute(attribute.name, attribute.value);
      });
      script.type = placeholder.getAttribute('data-lawful-type') || 'text/javascript';
      if (!placeholder.src) script.text = placeholder.text;
      placeholder.setAttribute('data-lawful-activated', 'true');
      placeholder.parentNode.insertBefore(script, placeholder.nextSibling);
    });
  }
  var settingsButton = null;
  function showSettingsButton() {
    if (settingsButton || !document.body) return;
    settingsButton = document.createElement('button');
    settingsButton.type = 'button';
    settingsButton.textContent = 'Cookie settings';
    settingsButton.setAttribute('data-lawful-cookie-settings', '');
    settingsButton.style.cssText = 'position:fixed;left:1rem;bottom:1rem;z-index:2147483646;font:13px system-ui,sans-serif;padding:.4rem .7rem;border:1px solid #ccd;border-radius:4px;background:#fff;cursor:pointer';
    document.body.appendChild(settingsButton);
  }
  function apply(choices, initial) {
    activate(choices);
    announce(choices, initial);
    if (choices) showSettingsButton();
  }
  function choose(choices) {
    var honoured = withGpc(choices).choices;
    store(honoured);
    post(honoured);
    apply(honoured, false);
  }
  var bar = null;
  function show() {
    if (bar) return;
    var current = stored();
    bar = document.createElement('div');
    bar.setAttribute('role', 'dialog');
    bar.setAttribute('aria-label', 'Cookie choices');
    bar.style.cssText = 'position:fixed;left:0;right:0;bottom:0;background:#fff;border-top:1px solid #ccd;padding:1rem;font:14px system-ui,sans-serif;z-index:2147483647';
    var text = document.createElement('p');
    text.textContent = config.text + ' ';
    var link = document.createElement('a');
    link.href = config.policyUrl; link.textContent = 'Privacy policy';
    text.appendChild(link);
    bar.appendChild(text);
    var boxes = {};
    config.categories.forEach(function (category) {
      var label = document.createElement('label');
      label.style.marginRight = '1rem';
      var box = document.createElement('input');
      box.type = 'checkbox'; box.name = category.key;
      box.checked = Boolean(current && current[category.key] === true);
      if (gpc && category.sellsOrShares) { box.checked = false; box.disabled = true; label.title = 'Your browser sends a Global Privacy Control signal: this category stays off.'; }
      boxes[category.key] = box;
      label.appendChild(box);
      label.appendChild(document.createTextNode(' ' + category.label));
      bar.appendChild(label);
    });
    function decide(all) {
      var choices = {};
      config.categories.forEach(function (category) { choices[category.key] = all === undefined ? boxes[category.key].checked : all; });
      bar.remove();
      bar = null;
      choose(choices);
    }
    [['Reject all', false], ['Save choices', undefined], ['Accept all', true]].forEach(function (b) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = b[0];
      button.style.marginRight = '.5rem';
      button.addEventListener('click', function () { decide(b[1]); });
      bar.appendChild(button);
    });
    document.body.appendChild(bar);
  }
  window.lawfulCookieChoices = stored;
  window.lawfulShowCookieBanner = show;
  document.addEventListener('click', function (event) {
    var target = event.target;
    if (target && target.closest && target.closest('[data-lawful-cookie-settings]')) { event.preventDefault(); show(); }
  });
  function start() {
    var choices = stored();
    if (choices) {
      var honoured = withGpc(choices);
      if (honoured.changed) { store(honoured.choices); post(honoured.choices); }
      apply(honoured.choices, true);
      return;
    }
    announce(null, true);
    if (gpc) {
      // No choice yet: the signal already answers for the categories that sell or share.
      var answered = {};
      Object.keys(selling).forEach(function (key) { answered[key] = false; });
      post(answered);
    }
    show();
  }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
`;
