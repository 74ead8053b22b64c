"""Accessibility measurements taken in the browser: overflow at narrow widths, target sizes,
text contrast (WCAG 2 relative luminance), font size."""

from __future__ import annotations

_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"

# Interactive elements that must be large enough to tap (inline links in running text are
# exempt, as in WCAG 2.5.8; so is a radio or checkbox whose label.choice is the target).
_SMALL_TARGETS = """(minimum) => {
  const selector = 'button, a.button, .menu a, .table a, input:not([type=hidden]), select, '
                 + 'textarea, summary, label.choice';
  const small = [];
  for (const element of document.querySelectorAll(selector)) {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width === 0 || style.visibility === 'hidden') continue;
    if (element.closest('.skip-link')) continue;
    // A radio or checkbox inside its label: the whole label is the target (measured itself).
    if (element.matches('input[type=radio], input[type=checkbox]') && element.closest('label.choice')) continue;
    if (box.height + 0.5 < minimum) {
      small.push(`${element.tagName.toLowerCase()} "${(element.innerText || element.name || '').trim()}" ${box.width.toFixed(0)}x${box.height.toFixed(0)}`);
    }
  }
  return small;
}"""

_LOW_CONTRAST = """() => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const parse = (text) => { const m = text.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = (element) => {
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0.5) return colour;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const element = walker.currentNode.parentElement;
    if (!text || seen.has(element) || element.closest('svg')) continue;
    seen.add(element);
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (element.closest('.visually-hidden, .skip-link')) continue;
    const fg = parse(style.color), bg = background(element);
    const [light, dark] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    if (ratio < needed) failures.push(`"${text.slice(0, 20)}" ${ratio.toFixed(2)}:1 (${style.color} on rgb(${bg.r},${bg.g},${bg.b}))`);
  }
  return failures;
}"""


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate(_OVERFLOW)


def small_targets(page, minimum: float) -> list[str]:
    """Buttons, inputs and menu links shorter than `minimum` CSS pixels."""
    return page.evaluate(_SMALL_TARGETS, minimum)


def low_contrast_text(page) -> list[str]:
    """Visible text below 4.5:1 against its background (3:1 for large text)."""
    return page.evaluate(_LOW_CONTRAST)


def root_font_size(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")


def line_height_ratio(page) -> float:
    return page.evaluate("""() => { const s = getComputedStyle(document.body);
      return parseFloat(s.lineHeight) / parseFloat(s.fontSize); }""")
