import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canAnimate, colorEnabled, createStyle, styleFor } from './style.ts';
import type { ColorSettings, Terminal } from './style.ts';
import { NOW, progressing } from './fixture.ts';
import { renderStatus } from './status.ts';

const ESC = '\x1b[';

interface Case {
  name: string;
  stream: Terminal;
  settings: ColorSettings;
  color: boolean;
  animate: boolean;
}

const cases: Case[] = [
  { name: 'a terminal with a plain environment gets colour and animation', stream: { isTTY: true }, settings: { env: {} }, color: true, animate: true },
  { name: 'a pipe gets neither', stream: {}, settings: { env: {} }, color: false, animate: false },
  { name: 'isTTY false counts as a pipe', stream: { isTTY: false }, settings: { env: {} }, color: false, animate: false },
  { name: 'TERM=dumb turns both off', stream: { isTTY: true }, settings: { env: { TERM: 'dumb' } }, color: false, animate: false },
  { name: 'another TERM changes nothing', stream: { isTTY: true }, settings: { env: { TERM: 'xterm-256color' } }, color: true, animate: true },
  { name: 'a non-empty NO_COLOR turns both off', stream: { isTTY: true }, settings: { env: { NO_COLOR: '1' } }, color: false, animate: false },
  { name: 'an empty NO_COLOR is ignored, as no-color.org says', stream: { isTTY: true }, settings: { env: { NO_COLOR: '' } }, color: true, animate: true },
  { name: '--no-color turns both off', stream: { isTTY: true }, settings: { env: {}, noColor: true }, color: false, animate: false },
  { name: 'FORCE_COLOR colours a pipe but does not animate it', stream: {}, settings: { env: { FORCE_COLOR: '1' } }, color: true, animate: false },
  { name: 'an empty FORCE_COLOR forces colour too, as in Node', stream: {}, settings: { env: { FORCE_COLOR: '' } }, color: true, animate: false },
  { name: 'FORCE_COLOR wins over NO_COLOR and TERM=dumb', stream: {}, settings: { env: { FORCE_COLOR: '1', NO_COLOR: '1', TERM: 'dumb' } }, color: true, animate: false },
  { name: 'FORCE_COLOR=0 turns colour off on a terminal', stream: { isTTY: true }, settings: { env: { FORCE_COLOR: '0' } }, color: false, animate: true },
  { name: 'FORCE_COLOR=false turns colour off on a terminal', stream: { isTTY: true }, settings: { env: { FORCE_COLOR: 'false' } }, color: false, animate: true },
  { name: '--no-color wins over FORCE_COLOR', stream: { isTTY: true }, settings: { env: { FORCE_COLOR: '3' }, noColor: true }, color: false, animate: false },
];

for (const c of cases) {
  test(`colour and animation: ${c.name}`, () => {
    assert.equal(colorEnabled(c.stream, c.settings), c.color, 'colour');
    assert.equal(canAnimate(c.stream, c.settings), c.animate, 'animation');
    assert.equal(styleFor(c.stream, c.settings).color, c.color, 'styleFor');
  });
}

test('a style without colour returns every text unchanged and uses ASCII symbols', () => {
  const style = createStyle(false);
  for (const paint of [style.good, style.bad, style.warn, style.accent, style.dim, style.bold]) assert.equal(paint('x y'), 'x y');
  assert.equal(style.phase('Degraded'), 'Degraded');
  assert.equal(style.phase('Paused', 'held'), 'held');
  assert.deepEqual(style.symbols, { ok: 'ok', fail: 'FAIL', arrow: '->', barFull: '#', barEmpty: '.' });
  assert.deepEqual(Object.values(style.phaseSymbols), ['', '', '', '']);
});

test('a style with colour paints each phase in its own colour', () => {
  const style = createStyle(true);
  assert.equal(style.phase('Healthy'), `${ESC}32mHealthy${ESC}39m`);
  assert.equal(style.phase('Progressing'), `${ESC}36mProgressing${ESC}39m`);
  assert.equal(style.phase('Paused'), `${ESC}33mPaused${ESC}39m`);
  assert.equal(style.phase('Degraded'), `${ESC}31mDegraded${ESC}39m`);
  assert.equal(style.bold('b'), `${ESC}1mb${ESC}22m`);
  assert.equal(style.dim('d'), `${ESC}2md${ESC}22m`);
});

test('status on a colour terminal carries ANSI codes and with NO_COLOR it carries none', () => {
  const tty = { isTTY: true };
  const coloured = renderStatus(progressing(), styleFor(tty, { env: {} }), { now: NOW });
  const plain = renderStatus(progressing(), styleFor(tty, { env: { NO_COLOR: '1' } }), { now: NOW });
  assert.ok(coloured.includes(ESC), 'expected ANSI escapes with colour on');
  assert.ok(coloured.includes('┌'), 'expected a box-drawn table with colour on');
  assert.ok(!plain.includes('\x1b'), 'expected no escape character with NO_COLOR');
  assert.doesNotMatch(plain, /[┌┐└┘│─█░✔✖→]/, 'expected ASCII symbols and no borders with NO_COLOR');
});
