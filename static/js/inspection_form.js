// The phone form of an inspection (templates/inspections/perform.html): each item's card is its own form, saved
// as soon as it changes (a fetch POST answered with JSON: the saved state, or the field errors shown on that
// item). Answers not yet saved are kept in localStorage and sent again when the connection returns, so a dropped
// connection loses nothing; photos stay in their file input until they are sent. Without JavaScript each card's
// Save button posts the item as a plain form.
(function () {
  "use strict";
  const root = document.getElementById("inspection-form");
  if (!root || !window.fetch || !window.FormData) return;
  const url = root.dataset.url;
  const storageKey = "inspection-" + root.dataset.inspection + "-pending";
  const offline = document.querySelector("[data-offline]");
  const cards = Array.prototype.slice.call(root.querySelectorAll("form.item-card"));
  const byItem = {};
  cards.forEach(function (card) { byItem[card.dataset.item] = card; });

  function readPending() {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "{}"); } catch (error) { return {}; }
  }
  function writePending(pending) {
    try {
      if (Object.keys(pending).length) window.localStorage.setItem(storageKey, JSON.stringify(pending));
      else window.localStorage.removeItem(storageKey);
    } catch (error) { /* storage full or refused: the answers stay in the page */ }
    if (offline && !offline.classList.contains("d-none")) showOffline(pending);
  }
  function showOffline(pending) {
    if (!offline) return;
    const count = Object.keys(pending).length;
    offline.classList.toggle("d-none", count === 0);
    const counter = offline.querySelector("[data-pending-count]");
    if (counter) counter.textContent = count ? "(" + count + ")" : "";
  }
  function answerOf(card) {
    const checked = card.querySelector("input[name=result]:checked");
    const price = card.querySelector("input[name=observed_price]");
    const note = card.querySelector("[name=note]");
    return { result: checked ? checked.value : "", note: note ? note.value : "", observed_price: price ? price.value : "" };
  }
  function restore(card, answer) {
    card.querySelectorAll("input[name=result]").forEach(function (radio) { radio.checked = radio.value === answer.result; });
    const price = card.querySelector("input[name=observed_price]");
    if (price && answer.observed_price !== undefined) price.value = answer.observed_price;
    const note = card.querySelector("[name=note]");
    if (note && answer.note !== undefined) note.value = answer.note;
  }
  function ready(card) {
    const answer = answerOf(card);
    return answer.result !== "" || (card.dataset.kind === "price" && answer.observed_price !== "");
  }
  function setState(card, text, tone) {
    const state = card.querySelector("[data-state]");
    if (!state) return;
    state.innerHTML = "";
    const badge = document.createElement("span");
    badge.className = "badge border text-bg-" + tone;
    badge.textContent = text;
    state.appendChild(badge);
  }
  function showErrors(card, errors) {
    card.querySelectorAll("[data-error]").forEach(function (slot) { slot.textContent = ""; });
    card.querySelectorAll(".is-invalid").forEach(function (input) { input.classList.remove("is-invalid"); });
    let general = [];
    Object.keys(errors || {}).forEach(function (field) {
      const slot = card.querySelector("[data-error=" + field + "]");
      if (slot) {
        slot.textContent = errors[field].join(" ");
        const input = card.querySelector("[name=" + field + "]");
        if (input && input.type !== "radio") input.classList.add("is-invalid");
      } else {
        general = general.concat(errors[field]);
      }
    });
    if (general.length) {
      const slot = card.querySelector("[data-error=result]");
      if (slot) slot.textContent = (slot.textContent + " " + general.join(" ")).trim();
    }
    card.classList.toggle("border-danger", Object.keys(errors || {}).length > 0);
  }
  function applySaved(card, state) {
    showErrors(card, {});
    setState(card, root.dataset.savedLabel, "success-subtle");
    card.dataset.answered = "1";
    restore(card, { result: state.result });
    const price = card.querySelector("input[name=observed_price]");
    if (price && state.observed_price !== "") price.value = state.observed_price;
    const count = card.querySelector("[data-photo-count]");
    if (count) count.textContent = state.photos;
    const files = card.querySelector("input[name=photos]");
    if (files) files.value = "";
    document.querySelectorAll("[data-unanswered-count]").forEach(function (node) { node.textContent = state.unanswered; });
    const unanswered = document.querySelector("[data-unanswered]");
    if (unanswered) unanswered.dataset.unanswered = state.unanswered;
  }

  function keep(card) {
    const pending = readPending();
    pending[card.dataset.item] = answerOf(card);
    writePending(pending);
    setState(card, root.dataset.pendingLabel, "warning");
  }
  function forget(card) {
    const pending = readPending();
    delete pending[card.dataset.item];
    writePending(pending);
  }

  const sending = {};
  function save(card) {
    if (!ready(card)) { keep(card); return Promise.resolve(false); }
    keep(card); // first on the phone, then to the server
    if (navigator.onLine === false) { showOffline(readPending()); return Promise.resolve(false); }
    const item = card.dataset.item;
    if (sending[item]) { sending[item].again = true; return sending[item].promise; }
    setState(card, root.dataset.savingLabel, "light");
    const body = new FormData(card);
    const entry = { again: false };
    entry.promise = fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    }).then(function (reply) {
      delete sending[item];
      if (reply.status === 200 && reply.answer.ok) {
        applySaved(card, reply.answer);
        if (entry.again) return save(card);
        forget(card);
        return true;
      }
      // refused by the server: said on the item; nothing to send again until it changes
      forget(card);
      showErrors(card, reply.answer.errors || {});
      setState(card, root.dataset.errorLabel, "danger");
      return false;
    }).catch(function () {
      delete sending[item]; // no connection: kept on the phone, sent when it returns
      setState(card, root.dataset.pendingLabel, "warning");
      showOffline(readPending());
      return false;
    });
    sending[item] = entry;
    return entry.promise;
  }

  function flush() {
    const pending = readPending();
    return Promise.all(Object.keys(pending).map(function (item) {
      const card = byItem[item];
      if (!card) { delete pending[item]; writePending(pending); return true; }
      return save(card);
    }));
  }

  cards.forEach(function (card) {
    card.addEventListener("change", function (event) {
      const name = event.target.name;
      if (name === "result" || name === "observed_price" || name === "note" || name === "photos") save(card);
    });
    card.addEventListener("submit", function (event) {
      event.preventDefault();
      save(card);
    });
  });

  const complete = document.querySelector("[data-testid=complete-form]");
  if (complete) {
    complete.addEventListener("submit", function (event) {
      if (Object.keys(readPending()).length === 0) return;
      event.preventDefault(); // send what the phone kept first
      flush().then(function () { if (Object.keys(readPending()).length === 0) complete.submit(); });
    });
  }

  // answers kept on the phone from before (a reload, a dropped connection): back into the cards, and sent
  const kept = readPending();
  Object.keys(kept).forEach(function (item) {
    if (byItem[item]) { restore(byItem[item], kept[item]); setState(byItem[item], root.dataset.pendingLabel, "warning"); }
  });
  showOffline(kept);
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { showOffline(readPending()); });
  window.setInterval(function () { if (Object.keys(readPending()).length && navigator.onLine !== false) flush(); }, 15000);
  if (Object.keys(kept).length) flush();
})();
