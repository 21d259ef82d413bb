import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'

import { pickApi } from './api/pick-api'
import { App } from './App'
import './styles.css'

const root = document.getElementById('root')
if (root) {
  const { api, transport } = pickApi()
  createRoot(root).render(
    <StrictMode>
      <App api={api} transport={transport} />
    </StrictMode>
  )
}
