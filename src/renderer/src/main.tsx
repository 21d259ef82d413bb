import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'

import { pickApi } from './api/pick-api'
import { App } from './App'
import { viewFromHash } from './app-view'
import { DEFAULT_DB_NAME } from './db/cache-types'
import { prestartQueryWorker } from './explorer/query-client'
import './styles.css'

if (viewFromHash(window.location.hash) === 'explorer') {
  // The Explorer opens first: its worker starts reading the cache while the page boots.
  prestartQueryWorker(DEFAULT_DB_NAME)
}

const root = document.getElementById('root')
if (root) {
  const { api, transport } = pickApi()
  createRoot(root).render(
    <StrictMode>
      <App api={api} transport={transport} />
    </StrictMode>
  )
}
