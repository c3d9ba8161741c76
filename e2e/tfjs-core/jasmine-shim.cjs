/* global module */
// tfjs-core's jasmine_util.js does `require('jasmine-core/lib/jasmine-core/jasmine.js')`;
// the runner has already evaluated jasmine.js as a classic script, so hand over that instance.
module.exports = globalThis.jasmineRequire;
