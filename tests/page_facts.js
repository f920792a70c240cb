// What the browser tests read off a page of the dashboard (tests/test_browser.py adds this file to a page and
// calls window.pageFacts.<name>). Plain reading, no change to the page except where a function says so.
//
// Two of Streamlit's elements draw on a canvas: a table (glide-data-grid) and the map (deck.gl). Their content
// is read from the props React holds for them (`__reactFiber$…`, Streamlit 1.67): a table's columns, their
// widths and every cell, and the map's deck as JSON. A table's hidden accessibility table has only the rows
// and columns in view, so it cannot tell what a table holds or where its columns end.
window.pageFacts = (() => {
  const visible = (element) =>
    element.checkVisibility ? element.checkVisibility({ visibilityProperty: true }) : element.getClientRects().length > 0;

  // The first props, walking up React's tree from `element`, that `test` accepts.
  function reactProps(element, test) {
    const key = Object.keys(element).find((name) => name.startsWith("__reactFiber$"));
    for (let fiber = element[key]; fiber; fiber = fiber.return) {
      const props = fiber.memoizedProps;
      if (props && typeof props === "object" && test(props)) return props;
    }
    return null;
  }

  // Every element of the document and of the open shadow roots in it (a component's, like the copy button).
  function allElements(root = document) {
    const found = [];
    for (const element of root.querySelectorAll("*")) {
      found.push(element);
      if (element.shadowRoot) found.push(...allElements(element.shadowRoot));
    }
    return found;
  }

  // Where a table's canvas is: the grid's props (columns with widths, rows, frozen columns, cells).
  function gridProps(frame) {
    const inner = frame.querySelector("canvas, .dvn-scroller, table");
    return inner && reactProps(inner, (props) => "getCellContent" in props && "columns" in props);
  }

  // The headers and cells of a table whose text runs past its column's edge: the grid cuts them off there.
  // Measured in the grid's own fonts, from its padding at the left. A cell that wraps (Streamlit lets it in
  // rows taller than 4rem) is cut when its lines, wrapped at spaces, run past the row's bottom edge.
  function cutCells(props, rows) {
    const theme = props.theme ?? {};
    const family = theme.fontFamily ?? "sans-serif";
    const padding = theme.cellHorizontalPadding ?? 8;
    const baseFont = theme.baseFontStyle ?? "13px";
    const fontSize = parseFloat(baseFont.match(/([\d.]+)px/)[1]);
    const context = document.createElement("canvas").getContext("2d");
    const width = (font, text) => {
      context.font = `${font} ${family}`;
      return context.measureText(text).width;
    };
    const lines = (text, room) => {
      let count = 1;
      let line = 0;
      for (const word of text.split(" ")) {
        const wide = width(baseFont, word);
        const space = width(baseFont, " ");
        if (line && line + space + wide <= room) {
          line += space + wide;
          continue;
        }
        const more = Math.max(0, Math.ceil(wide / room) - 1);
        count += (line ? 1 : 0) + more;
        line = wide - more * room;
      }
      return count;
    };
    const rowHeight = typeof props.rowHeight === "number" ? props.rowHeight : 34;
    const cut = [];
    props.columns.forEach((column, n) => {
      if (column.title && width(theme.headerFontStyle ?? "600 13px", column.title) + padding > column.width + 1) {
        cut.push(`header: ${column.title}`);
      }
      rows.forEach((row, r) => {
        const text = row[n];
        if (!text) return;
        const wraps = props.getCellContent([n, r]).allowWrapping === true;
        const count = wraps ? lines(text, column.width - 2 * padding) : 1;
        const tall = fontSize + (theme.lineHeight ?? 1.4) * fontSize * (count - 1) + (theme.cellVerticalPadding ?? 3);
        const wide = wraps ? 0 : width(baseFont, text) + padding;
        if (wide > column.width + 1 || (wraps && tall > rowHeight)) cut.push(`row ${r + 1}: ${text}`);
      });
    });
    return cut;
  }

  // The tables: their headers, column widths, frozen (pinned) columns, the width they are seen in, and cells.
  function tables(maxRows = 5000) {
    return [...document.querySelectorAll("[data-testid=stDataFrame]")].map((frame, index) => {
      const props = gridProps(frame);
      if (!props) return { index, error: "no grid props: the table was not drawn" };
      const scroller = frame.querySelector(".dvn-scroller");
      const rows = [];
      for (let row = 0; row < Math.min(props.rows, maxRows); row++) {
        rows.push(
          props.columns.map((_, column) => {
            const cell = props.getCellContent([column, row]);
            const shown = cell.displayData ?? cell.data ?? "";
            return Array.isArray(shown) ? shown.join(", ") : String(shown);
          })
        );
      }
      return {
        index,
        cut: cutCells(props, rows),
        headers: props.columns.map((column) => column.title),
        widths: props.columns.map((column) => column.width),
        frozen: props.freezeColumns ?? 0,
        rowMarkerWidth: props.rowMarkers && props.rowMarkers !== "none" ? props.rowMarkerWidth ?? 0 : 0,
        seenWidth: scroller ? scroller.clientWidth : frame.getBoundingClientRect().width,
        rowCount: props.rows,
        rows,
      };
    });
  }

  // Every text a reader sees or a screen reader reads, as [where, text, block] triples (block: the text of the
  // paragraph, list item or table row it is in): the text of the page (shadow roots
  // included), the accessible names and tooltips of the elements shown, the charts' texts, the tables' headers
  // and cells, the map's tooltips, and the document's title and link-preview tags. Not the icons' ligature names
  // (a Material icon is drawn from a word like "keyboard_arrow_right") nor the options of the language switch,
  // which name each language in itself ("Svenska", "English").
  function texts(languageLabel) {
    const chunks = [];
    const languageSwitch = [...document.querySelectorAll("[data-testid=stSidebar] [data-testid=stRadio]")].find(
      (radio) => radio.querySelector("[role=radiogroup]")?.getAttribute("aria-label") === languageLabel
    );
    const skipped = (element) =>
      element.closest("script, style, [data-testid=stIconMaterial], [data-testid=stDataFrame]") ||
      (languageSwitch && languageSwitch.contains(element) && element.closest("[data-testid=stRadioOption], label"));
    const attributes = ["aria-label", "title", "alt", "placeholder", "aria-description", "aria-valuetext", "data-title"];
    for (const element of allElements()) {
      if (skipped(element) || !visible(element)) continue;
      const block = (element.closest("p, li, td, th, h1, h2, h3, h4, h5, h6, figcaption, summary, label, button") ?? element)
        .textContent.slice(0, 2000);
      for (const node of element.childNodes) {
        if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
          chunks.push([element instanceof SVGElement ? "chart" : "text", node.textContent.trim(), block]);
        }
      }
      for (const attribute of attributes) {
        const value = element.getAttribute(attribute);
        // a field's placeholder is seen and read only while the field is empty
        if (attribute === "placeholder" && element.value) continue;
        if (value && value.trim()) chunks.push([attribute, value.trim(), value.trim()]);
      }
      // what a text field shows (a select box's choice is written in one)
      if (element.tagName === "INPUT" && ["text", "search", ""].includes(element.type) && element.value.trim()) {
        chunks.push(["text", element.value.trim(), element.value.trim()]);
      }
    }
    for (const table of tables()) {
      if (table.error) continue;
      table.headers.forEach((header) => chunks.push([`table ${table.index + 1} header`, header, header]));
      for (const row of table.rows) {
        const block = row.join(" | ");
        row.forEach((cell, column) => cell.trim() && chunks.push([`table ${table.index + 1}, ${table.headers[column]}`, cell, block]));
      }
    }
    for (const layer of deck()?.layers ?? []) {
      for (const datum of layer.data ?? []) if (datum.tooltip) chunks.push(["map tooltip", datum.tooltip, datum.tooltip]);
    }
    chunks.push(["<title>", document.title, document.title]);
    const previews = "meta[name=description], meta[property='og:title'], meta[property='og:description'], meta[property='og:site_name']";
    for (const meta of document.head.querySelectorAll(previews)) {
      const name = meta.getAttribute("name") || meta.getAttribute("property");
      chunks.push([`<meta ${name}>`, meta.content, meta.content]);
    }
    return chunks;
  }

  // The map's deck (st.pydeck_chart's JSON), parsed, or null on a page without one.
  function deck() {
    const chart = document.querySelector("[data-testid=stDeckGlJsonChart]");
    const props = chart && reactProps(chart, (props) => props.element && typeof props.element.json === "string");
    return props ? JSON.parse(props.element.json) : null;
  }

  // The link-preview tags of the document's head, by name or property.
  function metaTags() {
    return Object.fromEntries(
      [...document.head.querySelectorAll("meta[name], meta[property]")].map((meta) => [
        meta.getAttribute("name") || meta.getAttribute("property"),
        meta.content,
      ])
    );
  }

  // Whether the page scrolls sideways: the document and Streamlit's main section.
  function sideways() {
    const main = document.querySelector("[data-testid=stMain]");
    return {
      document: [document.scrollingElement.scrollWidth, window.innerWidth],
      main: main ? [main.scrollWidth, main.clientWidth] : null,
    };
  }

  // Whether an element is in the window's width (not in the sidebar folded away to the left).
  const inWindow = (element) => {
    const rect = element.getBoundingClientRect();
    return rect.width > 0 && rect.right > 0 && rect.left < window.innerWidth;
  };

  // Texts cut off with an ellipsis: an element whose text is wider than its box.
  function truncated() {
    return allElements()
      .filter((element) => element.closest("[data-testid=stMain], [data-testid=stSidebar]") && visible(element) && inWindow(element))
      .filter((element) => {
        const style = getComputedStyle(element);
        return style.textOverflow === "ellipsis" && element.scrollWidth > element.clientWidth + 1 && element.textContent.trim();
      })
      .map((element) => `${element.closest("[data-testid]")?.dataset.testid}: ${element.textContent.trim()}`);
  }

  const overlap = (a, b) =>
    Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
    Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));

  // What is wrong with each plotly chart as drawn: a title cut off by the chart's edge, texts over each other
  // (title, legend, annotations such as subplot titles and milestone numbers), tick labels of an axis over each
  // other, and a panel without data (plotly then draws an empty axis from 0 to 1).
  function chartProblems() {
    const problems = [];
    document.querySelectorAll("[data-testid=stPlotlyChart] .js-plotly-plot").forEach((chart, index) => {
      const name = `chart ${index + 1} (${chart.querySelector(".gtitle")?.textContent || "untitled"})`;
      const box = chart.querySelector(".main-svg").getBoundingClientRect();
      const labelled = [];
      chart.querySelectorAll(".gtitle").forEach((title) => {
        const rect = title.getBoundingClientRect();
        if (rect.width && (rect.left < box.left - 1 || rect.right > box.right + 1)) {
          problems.push(`${name}: its title is cut off (${Math.round(rect.left - box.left)} to ${Math.round(rect.right - box.left)} px in a chart ${Math.round(box.width)} px wide)`);
        }
        labelled.push([`title "${title.textContent}"`, rect]);
      });
      chart.querySelectorAll(".legend").forEach((legend) => {
        const background = legend.querySelector(".bg") || legend;
        labelled.push(["the legend", background.getBoundingClientRect()]);
      });
      chart.querySelectorAll(".annotation").forEach((annotation) => {
        const text = annotation.querySelector(".annotation-text");
        if (text && text.textContent.trim()) labelled.push([`annotation "${text.textContent}"`, text.getBoundingClientRect()]);
      });
      for (let i = 0; i < labelled.length; i++) {
        for (let j = i + 1; j < labelled.length; j++) {
          if (overlap(labelled[i][1], labelled[j][1]) > 4) problems.push(`${name}: ${labelled[i][0]} overlaps ${labelled[j][0]}`);
        }
      }
      const layout = chart._fullLayout;
      if (!layout) return;
      for (const axisName of Object.keys(layout).filter((key) => /^[xy]axis\d*$/.test(key))) {
        const axis = layout[axisName];
        const labels = [...chart.querySelectorAll(`g.${axis._id}tick text`)].filter((text) => text.textContent.trim());
        const rects = labels.map((label) => label.getBoundingClientRect());
        for (let i = 1; i < rects.length; i++) {
          if (overlap(rects[i - 1], rects[i]) > 4) {
            problems.push(`${name}: tick labels "${labels[i - 1].textContent}" and "${labels[i].textContent}" overlap`);
          }
        }
      }
      for (const axisName of Object.keys(layout).filter((key) => /^yaxis\d*$/.test(key))) {
        const id = layout[axisName]._id;
        const traces = chart._fullData.filter((trace) => (trace.yaxis || "y") === id && trace.visible !== false);
        const values = traces.flatMap((trace) => [...(trace.y ?? [])]).filter((value) => value !== null && value !== undefined && value !== "");
        if (!values.length) problems.push(`${name}: the panel of ${axisName} has no data`);
      }
    });
    return problems;
  }

  // The plotly charts' layouts as drawn: x axes' types, shapes and annotations (for the milestones).
  function chartLayouts() {
    return [...document.querySelectorAll("[data-testid=stPlotlyChart] .js-plotly-plot")].map((chart) => {
      const layout = chart._fullLayout;
      const xAxes = Object.keys(layout).filter((key) => /^xaxis\d*$/.test(key));
      return {
        title: chart.querySelector(".gtitle")?.textContent ?? "",
        xTypes: xAxes.map((key) => layout[key].type),
        shapes: (layout.shapes ?? []).map((shape) => ({ x0: shape.x0, x1: shape.x1, xref: shape.xref })),
        annotations: (layout.annotations ?? []).map((note) => ({ x: note.x, xref: note.xref, text: note.text })),
      };
    });
  }

  // Streamlit's and plotly's own toolbars shown: visible buttons of the table toolbar and the plotly modebar.
  function toolbars() {
    const shown = (selector) => [...document.querySelectorAll(selector)].filter(visible);
    return {
      tableToolbar: shown("[data-testid=stElementToolbarButton]").map((button) => button.querySelector("button")?.getAttribute("aria-label")),
      modebar: shown(".modebar-btn").map((button) => button.getAttribute("data-title")),
    };
  }

  // The focused element, inside shadow roots too.
  function focused() {
    let element = document.activeElement;
    while (element && element.shadowRoot && element.shadowRoot.activeElement) element = element.shadowRoot.activeElement;
    return element;
  }

  // How an element looks for its focus or highlight: outline, box shadow and background.
  function looks(element) {
    const style = getComputedStyle(element);
    return {
      tag: element.tagName.toLowerCase(),
      text: (element.textContent || element.getAttribute("aria-label") || "").trim().slice(0, 60),
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth) || 0,
      outlineColor: style.outlineColor,
      boxShadow: style.boxShadow,
      backgroundColor: style.backgroundColor,
      focusVisible: element.matches(":focus-visible"),
    };
  }

  // The focused element's looks and what it is: a sidebar page link, a button, or something else.
  function focusedLooks() {
    const element = focused();
    if (!element || element === document.body) return null;
    const kind = element.matches("[data-testid=stPageLink-NavLink]") ? "page link" : element.tagName === "BUTTON" ? "button" : "other";
    return { kind, ...looks(element) };
  }

  // The looks of the sidebar's link to the page shown (its label is `label`), not focused.
  function currentPageLink(label) {
    const link = [...document.querySelectorAll("[data-testid=stPageLink-NavLink]")].find((a) => a.textContent.trim() === label);
    return link ? { ariaCurrent: link.getAttribute("aria-current"), ...looks(link) } : null;
  }

  // The buttons with this accessible text (shadow roots included), with whether each is shown.
  function buttons(label) {
    return allElements()
      .filter((element) => element.tagName === "BUTTON" && (element.textContent.trim() === label || element.getAttribute("aria-label") === label))
      .map(visible);
  }

  return { tables, texts, deck, metaTags, sideways, truncated, chartProblems, chartLayouts, toolbars, focusedLooks, currentPageLink, buttons };
})();
