#!/usr/bin/env node
// Renders every formula of ctgrad's golden LaTeX files with KaTeX and fails on the first error
// it meets in each. Usage: node check.cjs <node_modules dir> <file.tex|file.md>...
//   .tex starting with \begin: one display formula (an align* block); other .tex: one formula
//   per non-empty line (a trailing "% label" is a LaTeX comment); .md: every $$...$$ block
//   (display) and every $...$ (inline).
// Prints "N passed, N failed" and exits non-zero when anything failed or nothing was found.
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error('usage: node check.cjs <node_modules dir> <file>...');
  process.exit(2);
}
const katex = createRequire(path.join(modules, 'katex', 'package.json'))('katex');

let passed = 0;
let failed = 0;
function render(formula, where, displayMode) {
  try {
    katex.renderToString(formula, { displayMode, throwOnError: true, strict: 'error' });
    passed += 1;
  } catch (error) {
    failed += 1;
    console.error(`${where}: ${error.message}\n    ${formula.split('\n').join('\n    ')}`);
  }
}

for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const name = path.basename(file);
  if (file.endsWith('.md')) {
    const blocks = /\$\$\n([\s\S]*?)\n\$\$/g;
    let match;
    while ((match = blocks.exec(text)) !== null) render(match[1], `${name} ($$ block)`, true);
    const prose = text.replace(blocks, '');
    const inline = /\$([^$\n]+)\$/g;
    while ((match = inline.exec(prose)) !== null) render(match[1], `${name} (inline)`, false);
  } else if (text.startsWith('\\begin')) {
    render(text, name, true);
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() !== '') render(`${line}\n`, `${name}:${i + 1}`, true);
    });
  }
}
console.log(`katex ${katex.version}: ${files.length} files`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
