// Loads the comment system's embed (Giscus or Isso, in a <template> of the page) once the
// reader scrolls near the comments, so a reader who never gets there loads nothing of it.
// Without JavaScript the block stays hidden: there would be nothing in it.
for (const block of document.querySelectorAll("[data-comments]")) {
  block.hidden = false;
  // A clone of the template's content runs its scripts once in the page (unlike innerHTML).
  const load = () => block.append(block.querySelector("template").content.cloneNode(true));
  if (!("IntersectionObserver" in window)) {
    load();
    continue;
  }
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      observer.disconnect();
      load();
    }
  }, { rootMargin: "400px 0px" });
  observer.observe(block);
}
