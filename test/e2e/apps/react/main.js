import { createElement as h } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { session } from '../session.js';
import { App } from './app.js';

session('react-e2e', (rec, onPick) =>
  hydrateRoot(document.getElementById('app'), h(App, { rec, onSelect: (item, _position, event) => onPick(item, event) })),
);
