import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'

import { pickApi } from './api/pick-api'
import { App } from './App'
import './styles.css'

// (The Explorer's query worker was started by early.ts, before the app's modules ran.)

const root = document.getElementById('root')
if (root) {
  const { api, transport } = pickApi()
  createRoot(root).render(
    <StrictMode>
      <App api={api} transport={transport} />
    </StrictMode>
  )
}
