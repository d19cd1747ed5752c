// Validate Kubernetes manifests (JSON files) against the Kubernetes OpenAPI
// schemas, with the npm package kubernetes-models (the version pinned in
// package.json beside this file).  tests/test_k8s.c runs it as
//
//   NODE_PATH=build/k8s-validator/node_modules node tests/k8s/validate.js FILE...
//
// after `npm ci --prefix build/k8s-validator` with this folder's package.json
// and package-lock.json.  Exit status: 0 when every file is valid, 1 when one
// is not (each error is printed), 2 when the package cannot be loaded.
'use strict';

const fs = require('fs');

let models;
try {
	models = {
		'batch/v1 Job': require('kubernetes-models/batch/v1').Job,
		'v1 ConfigMap': require('kubernetes-models/v1').ConfigMap,
		'node.k8s.io/v1 RuntimeClass': require('kubernetes-models/node.k8s.io/v1').RuntimeClass,
	};
} catch (e) {
	console.error(`validate.js: cannot load kubernetes-models (NODE_PATH=${process.env.NODE_PATH || ''}): ${e.message}`);
	process.exit(2);
}

// What the API server checks beyond the schemas, which say only "string".
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkLabels(labels, where, errors) {
	for (const [key, value] of Object.entries(labels || {})) {
		const slash = key.lastIndexOf('/');
		const prefix = slash >= 0 ? key.slice(0, slash) : null;
		const name = slash >= 0 ? key.slice(slash + 1) : key;
		if ((prefix !== null && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) ||
		    name.length > 63 || !LABEL_NAME.test(name))
			errors.push(`${where}: label key \`${key}\` is not valid`);
		if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))
			errors.push(`${where}: label \`${key}\` has an invalid value \`${value}\``);
	}
}

function checkObject(obj) {
	const errors = [];
	const type = `${obj.apiVersion} ${obj.kind}`;
	const Model = models[type];
	if (!Model)
		return [`unexpected object ${type}`];
	try {
		new Model(obj).validate();
	} catch (e) {
		errors.push(`schema: ${e.message}`);
	}
	const name = (obj.metadata || {}).name || '';
	// The Job controller puts the Job's name in a label of its pods.
	const maxName = obj.kind === 'Job' ? 63 : 253;
	if (name.length > maxName || !DNS_SUBDOMAIN.test(name))
		errors.push(`metadata.name \`${name}\` is not a DNS subdomain of at most ${maxName} characters`);
	checkLabels((obj.metadata || {}).labels, 'metadata.labels', errors);
	if (obj.kind === 'Job') {
		const tmpl = (obj.spec || {}).template || {};
		checkLabels((tmpl.metadata || {}).labels, 'spec.template.metadata.labels', errors);
		const spec = tmpl.spec || {};
		if (spec.runtimeClassName !== undefined && !DNS_SUBDOMAIN.test(spec.runtimeClassName))
			errors.push(`runtimeClassName \`${spec.runtimeClassName}\` is not a DNS subdomain`);
		for (const c of spec.containers || [])
			if (!DNS_LABEL.test(c.name || ''))
				errors.push(`container name \`${c.name}\` is not a DNS label`);
	}
	return errors;
}

const files = process.argv.slice(2);
if (files.length === 0) {
	console.error('usage: node validate.js MANIFEST.json...');
	process.exit(2);
}
let bad = 0;
for (const file of files) {
	let obj;
	try {
		obj = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (e) {
		console.error(`${file}: ${e.message}`);
		bad++;
		continue;
	}
	const errors = checkObject(obj);
	for (const e of errors)
		console.error(`${file}: ${e}`);
	if (errors.length)
		bad++;
	else
		console.log(`${file}: valid ${obj.apiVersion} ${obj.kind}`);
}
process.exit(bad ? 1 : 0);
