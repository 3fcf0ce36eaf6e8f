/* The letter's recipient picker (documents.forms.EntityPicker): a filter box that narrows the list of
   entities as one types, matching Arabic spelling variants and the letters a Kurdish keyboard types
   (ک ی ە ھ) as the portal's search does
   (govportal/search.py), and a count of the entities chosen, electronic and on paper, announced to
   screen readers. The list itself is plain checkboxes in the page: without this script it still works. */
(function () {
  "use strict";

  var DIACRITICS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g;
  var LETTERS = { "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ک": "ك", "ی": "ي", "ە": "ه", "ھ": "ه" };

  function normalise(text) {
    return text
      .replace(DIACRITICS, "")
      .replace(/[أإآٱةىکیەھ]/g, function (letter) { return LETTERS[letter]; })
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  function setUp(picker) {
    var messages = JSON.parse(picker.getAttribute("data-messages"));
    var rules = new Intl.PluralRules(document.documentElement.lang || "ar");
    var filter = picker.querySelector(".picker__filter");
    var summary = picker.querySelector(".picker__summary");
    var none = picker.querySelector(".picker__none");
    var options = Array.prototype.slice.call(picker.querySelectorAll(".picker__option"));
    var groups = Array.prototype.slice.call(picker.querySelectorAll(".picker__group"));

    function count(message, n) {
      var forms = messages[message];
      return (forms[rules.select(n)] || forms.other).replace("{n}", String(n));
    }

    function summarise() {
      var electronic = 0;
      var paper = 0;
      options.forEach(function (option) {
        if (option.querySelector("input").checked) {
          if (option.getAttribute("data-mode") === "electronic") { electronic += 1; } else { paper += 1; }
        }
      });
      var chosen = electronic + paper;
      summary.textContent = chosen === 0 ? messages.none : messages.pattern
        .replace("%(chosen)s", count("chosen", chosen))
        .replace("%(electronic)s", count("electronic", electronic))
        .replace("%(paper)s", count("paper", paper));
    }

    function narrow() {
      var words = normalise(filter.value).split(" ").filter(Boolean);
      var shown = 0;
      options.forEach(function (option) {
        var text = option.getAttribute("data-search");
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !match;
        if (match) { shown += 1; }
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector(".picker__option:not([hidden])");
      });
      none.hidden = shown > 0;
    }

    filter.addEventListener("input", narrow);
    // Enter in the filter box narrows the list; it must not send the letter's form.
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    picker.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") { summarise(); }
    });
    picker.querySelector(".picker__tools").hidden = false;
    summarise();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), setUp);
})();
