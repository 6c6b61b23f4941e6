// The hourly chart of one workspace, drawn as inline SVG: one column per hour of the stats
// answer, oldest on the left. The grey bar is received; on it, stacked from the bottom,
// delivered, skipped and dead-lettered. Each column's tooltip (<title>) gives the numbers.

import { el, time } from './dom.js';

const WIDTH = 240;
const HEIGHT = 48;
const STACK = [
  ['delivered', 'bar-delivered'],
  ['skipped', 'bar-skipped'],
  ['deadLettered', 'bar-dead-lettered'],
];

function describe(h) {
  return `${time(h.hour, true)}: received ${h.received}, delivered ${h.delivered}, skipped ${h.skipped}, ` +
    `dead-lettered ${h.deadLettered}, retrying ${h.retrying}`;
}

/** An SVG element for `stats.hourly` ([{hour, received, delivered, skipped, deadLettered, retrying}]). */
export function hourlyChart(stats) {
  const hourly = stats.hourly || [];
  const top = Math.max(1, ...hourly.map((h) => Math.max(h.received, h.delivered + h.skipped + h.deadLettered)));
  const step = WIDTH / Math.max(1, hourly.length);
  const barWidth = Math.max(1, step - (step > 4 ? 1 : 0));
  const scale = (n) => (n / top) * (HEIGHT - 2);
  const chart = el('svg:svg', {
    class: 'chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    width: WIDTH,
    height: HEIGHT,
    role: 'img',
    'aria-label': `Hourly counts, last ${hourly.length} hours: received ${stats.received}, delivered ${stats.delivered}, ` +
      `skipped ${stats.skipped}, dead-lettered ${stats.deadLettered}; busiest hour ${top}.`,
  });
  chart.append(el('svg:line', { x1: 0, y1: HEIGHT - 0.5, x2: WIDTH, y2: HEIGHT - 0.5, class: 'axis' }));
  hourly.forEach((h, i) => {
    const column = el('svg:g', { class: 'hour', 'data-hour': h.hour });
    column.append(el('svg:title', {}, describe(h)));
    const x = (i * step).toFixed(2);
    // The whole column height is hoverable, so an empty hour still has a tooltip.
    column.append(el('svg:rect', { x, y: 0, width: barWidth.toFixed(2), height: HEIGHT, class: 'bar-hover' }));
    column.append(el('svg:rect', { x, y: (HEIGHT - scale(h.received)).toFixed(2), width: barWidth.toFixed(2), height: scale(h.received).toFixed(2), class: 'bar-received' }));
    let base = HEIGHT;
    for (const [field, cls] of STACK) {
      const height = scale(h[field]);
      if (height > 0) {
        base -= height;
        column.append(el('svg:rect', { x, y: base.toFixed(2), width: barWidth.toFixed(2), height: height.toFixed(2), class: cls }));
      }
    }
    chart.append(column);
  });
  return chart;
}

/** The chart's key, shown once under the table. */
export function legend() {
  return el('p', { class: 'legend' },
    [['received', 'bar-received'], ['delivered', 'bar-delivered'], ['skipped', 'bar-skipped'], ['dead-lettered', 'bar-dead-lettered']]
      .map(([label, cls]) => [el('span', {}, el('svg:svg', { width: 10, height: 10, 'aria-hidden': 'true' }, el('svg:rect', { width: 10, height: 10, class: cls })), ` ${label}`), ' ']));
}
