// Loads the comment system's embed (Giscus or Isso, in a <template> of the page) once the
// reader scrolls near the comments, so a reader who never gets there loads nothing of it.
// Without JavaScript the block stays hidden: there would be nothing in it.
for (const block of document.querySelectorAll("[data-comments]")) {
  block.hidden = false;
  const load = () => {
    const embed = block.querySelector("template").content.cloneNode(true);
    // Scripts that come from a <template> are inert; live copies of them run once inserted.
    for (const inert of embed.querySelectorAll("script")) {
      const live = document.createElement("script");
      for (const attribute of inert.attributes) live.setAttribute(attribute.name, attribute.value);
      inert.replaceWith(live);
    }
    block.append(embed);
  };
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
