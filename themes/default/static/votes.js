/* foretell reader votes: the widget on prediction pages, the community figure on list pages.
   Talks only to the endpoint named in data-endpoint (site.yaml votes.endpoint). No framework. */
(function () {
  "use strict";
  var TIMEOUT_MS = 4000;
  var UNAVAILABLE = "Votes are unavailable right now.";
  var NAMES = { will: "Will happen", wont: "Won\u2019t happen", maybe: "Maybe" };
  var CHOICES = ["will", "wont", "maybe"];

  function $(root, selector) { return root.querySelector(selector); }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function percent(part, whole) { return whole ? Math.round((100 * part) / whole) + "%" : "\u2013"; }

  /* will / (will + wont): "Maybe" votes do not pull the community's probability either way. */
  function community(counts) { return percent(counts.will, counts.will + counts.wont); }

  /* GET or POST JSON, given up on after TIMEOUT_MS: the reader is told, never left waiting. */
  function request(url, options) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    options = options || {};
    options.signal = controller.signal;
    options.cache = "no-store";
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var error = new Error(body.error || "HTTP " + response.status);
          error.status = response.status;
          error.retryAfter = response.headers.get("Retry-After");
          throw error;
        }
        return body;
      });
    }).finally(function () { clearTimeout(timer); });
  }

  /* The reader's opaque id: made once, 32 characters of [A-Za-z0-9_-], kept in localStorage.
     Without storage (some private modes) it lasts as long as the page. */
  function voterId() {
    var key = "foretell-voter", id = null;
    try { id = localStorage.getItem(key); } catch (e) { /* storage blocked */ }
    if (id && /^[A-Za-z0-9_-]{16,64}$/.test(id)) return id;
    var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    var bytes = crypto.getRandomValues(new Uint8Array(32));
    id = "";
    for (var i = 0; i < bytes.length; i++) id += alphabet[bytes[i] & 63];  /* 256 = 4 x 64: unbiased */
    try { localStorage.setItem(key, id); } catch (e) { /* kept for this page only */ }
    return id;
  }

  function widget(section) {
    var base = section.getAttribute("data-endpoint") + "/v1/predictions/" +
      encodeURIComponent(section.getAttribute("data-slug")) + "/votes";
    var open = section.getAttribute("data-open") === "true";
    var status = $(section, ".votes-status");
    var voter = voterId();
    var options = section.querySelectorAll("[data-choice]");
    var busy = false, voted = false;

    function say(text) { status.textContent = text; }

    function show(data) {
      var counts = data.counts, total = data.total;
      $(section, "[data-votes-community]").textContent = community(counts);
      $(section, "[data-votes-total]").textContent = total ? plural(total, "vote") : "No votes yet";
      for (var i = 0; i < options.length; i++) {
        var option = options[i], choice = option.getAttribute("data-choice");
        var mine = data.your_choice === choice;
        $(option, "[data-share]").textContent = percent(counts[choice], total);
        $(option, "[data-count]").textContent = plural(counts[choice], "vote");
        option.style.setProperty("--share", total ? counts[choice] / total : 0);
        if (option.tagName === "BUTTON") option.setAttribute("aria-pressed", String(mine));
        option.classList.toggle("is-mine", mine);
      }
      section.classList.remove("is-unavailable");
      if (open && data.open === false) close();
    }

    /* The endpoint says voting is over (its clock is UTC): the buttons stay, disabled. */
    function close() {
      open = false;
      for (var i = 0; i < options.length; i++) options[i].disabled = true;
      $(section, ".votes-ask").textContent = "Voting has closed. Final tally:";
    }

    function summary(data) {
      return CHOICES.map(function (c) { return NAMES[c] + " " + data.counts[c]; }).join(", ") +
        ". Community: " + community(data.counts) + ".";
    }

    function vote(choice) {
      if (busy || !open) return;
      busy = true;
      section.classList.add("is-busy");
      request(base, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ choice: choice, voter: voter })
      }).then(function (data) {
        voted = true;
        show(data);
        say("Your vote: " + NAMES[choice] + ". " + summary(data));
      }).catch(function (error) {
        if (error.status === 409) {
          close();
          say("Voting on this prediction has closed.");
        } else if (error.status === 429) {
          say("Too many votes from your network. Try again in " +
            plural(Number(error.retryAfter) || 60, "second") + ".");
        } else {
          say(UNAVAILABLE + " Your vote was not counted.");
        }
      }).finally(function () {
        busy = false;
        section.classList.remove("is-busy");
      });
    }

    for (var i = 0; i < options.length; i++) {
      if (options[i].tagName === "BUTTON") {
        options[i].addEventListener("click", function (event) {
          vote(event.currentTarget.getAttribute("data-choice"));
        });
      }
    }
    section.hidden = false;  /* its status says "Loading votes..." until the endpoint answers */
    request(base + "?voter=" + encodeURIComponent(voter)).then(function (data) {
      if (voted) return;  /* a vote answered first, with newer counts */
      show(data);
      say(data.your_choice ? "Your vote: " + NAMES[data.your_choice] + "." : "");
    }).catch(function () {  /* down, slow (aborted), or an answer that makes no sense */
      if (voted) return;
      section.classList.add("is-unavailable");
      say(UNAVAILABLE);
    });
  }

  /* A list page: every card's community figure from ONE request (the batch takes 100 ids). */
  function cards(list) {
    var figures = list.querySelectorAll("[data-votes-slug]");
    var slugs = [];
    for (var i = 0; i < figures.length && slugs.length < 100; i++) {
      slugs.push(encodeURIComponent(figures[i].getAttribute("data-votes-slug")));
    }
    if (!slugs.length) return;
    request(list.getAttribute("data-endpoint") + "/v1/votes?ids=" + slugs.join(","))
      .then(function (data) {
        for (var i = 0; i < figures.length; i++) {
          var tally = data.votes && data.votes[figures[i].getAttribute("data-votes-slug")];
          if (!tally || tally.counts.will + tally.counts.wont === 0) continue;
          $(figures[i], "[data-votes-community]").textContent = community(tally.counts);
          $(figures[i], "[data-votes-total]").textContent = "(" + plural(tally.total, "vote") + ")";
          figures[i].hidden = false;
        }
      }).catch(function () { /* the figures stay hidden: a list page reads fine without them */ });
  }

  var sections = document.querySelectorAll("section.votes[data-endpoint]");
  for (var s = 0; s < sections.length; s++) widget(sections[s]);
  var lists = document.querySelectorAll(".cards[data-endpoint]");
  for (var l = 0; l < lists.length; l++) cards(lists[l]);
})();
