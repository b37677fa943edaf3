import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { createBackend } from './lib/backend';

createBackend().then((backend) => {
  mount(App, { target: document.getElementById('app')!, props: { backend } });
});
