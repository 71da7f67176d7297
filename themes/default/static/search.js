// The search page: queries the Pagefind index (pagefind/, and each shard merged into it) in
// the browser. Words come from the box or from ?q= (the masthead's box sends them here);
// the filters narrow by status, category, tag and author. Results show each prediction's
// title, statement, status and target date, and where the words matched.
const root = document.querySelector("[data-search]");
const fallback = document.querySelector("[data-search-fallback]");
const form = root.querySelector("form");
const input = root.querySelector("input[type=search]");
const selects = [...root.querySelectorAll("select[data-filter]")];
const summary = root.querySelector(".search-summary");
const list = root.querySelector(".search-results");
const siteRoot = new URL(root.dataset.root, document.baseURI);
const SHOWN = 20;
let latest = 0; // the newest search: an older one finishing later is not shown

root.hidden = false;
fallback.hidden = true;

const pagefind = await import(new URL(root.dataset.pagefind, document.baseURI).href);
await pagefind.options({ excerptLength: 24 });
// All at once: each shard's first files load side by side (Pagefind keeps the call order).
const shards = root.dataset.shards.split(" ").filter(Boolean);
await Promise.all(shards.map((shard) => pagefind.mergeIndex(new URL(shard, document.baseURI).href)));

const params = new URLSearchParams(location.search);
input.value = params.get("q") || "";
if (selects.every((select) => select.options.length <= 1)) {
  // A site's own search.html from before the values were in the page: ask every shard.
  await fillFilters(await pagefind.filters());
}
for (const select of selects) {
  // The options (each value, with its count) are in the page: only the wanted one is set.
  const wanted = params.get(select.name);
  if (wanted && [...select.options].some((option) => option.value === wanted)) select.value = wanted;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
input.addEventListener("input", () => run());
for (const select of selects) select.addEventListener("change", () => run());
run();

async function fillFilters(available) {
  for (const select of selects) {
    const counts = available[select.dataset.filter] || {};
    const values = Object.keys(counts).sort((a, b) => a.localeCompare(b));
    for (const value of values) select.append(new Option(`${value} (${counts[value]})`, value));
    select.closest(".search-filter").hidden = values.length === 0;
  }
}

async function run() {
  const ticket = ++latest;
  const term = input.value.trim();
  const filters = {};
  for (const select of selects) if (select.value) filters[select.dataset.filter] = select.value;
  remember(term, filters);
  if (!term && !Object.keys(filters).length) {
    summary.textContent = "";
    list.replaceChildren();
    return;
  }
  const search = await pagefind.search(term || null, { filters });
  const found = await Promise.all(search.results.slice(0, SHOWN).map((r) => r.data()));
  if (ticket !== latest) return; // a newer search has started: this one is stale
  const count = search.results.length;
  const what = term ? `for “${term}”` : "";
  summary.textContent = count
    ? `${count} prediction${count === 1 ? "" : "s"} ${what}${count > SHOWN ? `, the first ${SHOWN} shown` : ""}`
    : `No prediction ${what || "matches"}${term ? "" : " these filters"}.`;
  list.replaceChildren(...found.map(result));
}

function remember(term, filters) {
  const query = new URLSearchParams();
  if (term) query.set("q", term);
  for (const [name, value] of Object.entries(filters)) query.set(name, value);
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

function result(data) {
  const item = element("li", "search-result");
  const heading = element("h2", "search-result-title");
  const link = element("a");
  link.href = new URL(data.url.replace(/^\//, ""), siteRoot).href;
  link.textContent = data.meta.title;
  heading.append(link);
  const statement = element("p", "search-statement");
  statement.textContent = data.meta.statement;
  // The status badge as on the cards (style.css, .status); the date never broken in two.
  const facts = element("p", "search-facts");
  const status = element("span", `status status-${data.meta.status_key}`);
  status.textContent = data.meta.status;
  const target = element("span", "search-target");
  const date = element("time");
  date.dateTime = data.meta.target_iso;
  date.textContent = data.meta.target_date;
  target.append("Target ", date);
  facts.append(status, " ", target);
  const excerpt = element("p", "search-excerpt");
  excerpt.append(...marked(data.excerpt));
  item.append(heading, statement, facts, excerpt);
  return item;
}

// Pagefind's excerpt is escaped text with <mark> around the matches: keep those and the text,
// nothing else, so no markup of an article can reach the results as HTML.
function marked(excerpt) {
  const parsed = new DOMParser().parseFromString(excerpt, "text/html").body;
  return [...parsed.childNodes].map((node) => {
    if (node.nodeName !== "MARK") return document.createTextNode(node.textContent);
    const mark = element("mark");
    mark.textContent = node.textContent;
    return mark;
  });
}

function element(name, className) {
  const made = document.createElement(name);
  if (className) made.className = className;
  return made;
}
